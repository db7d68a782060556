import type { Db } from '@0bit/db/connection';
import type { HubUserRow, Role } from '@0bit/db/people';
import type { HubSessionsTable } from '@0bit/db/schema';
import type { Selectable } from 'kysely';

export type HubSessionRow = Selectable<HubSessionsTable>;

export const findUserByEmail = (db: Db, email: string) =>
  db.selectFrom('hub_users').selectAll().where('email', '=', email).executeTakeFirst();

export const findUser = (db: Db, id: string) =>
  db.selectFrom('hub_users').selectAll().where('id', '=', id).executeTakeFirst();

/** A partner's people who were not removed, oldest first. */
export const listPartnerUsers = (db: Db, partnerId: string): Promise<HubUserRow[]> =>
  db
    .selectFrom('hub_users')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

export const countOwners = async (db: Db, partnerId: string): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('hub_users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('partner_id', '=', partnerId)
        .where('role', '=', 'owner')
        .where('removed_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

export const setRole = (db: Db, id: string, role: Role) =>
  db.updateTable('hub_users').set({ role }).where('id', '=', id).execute();

export const markRemoved = (db: Db, id: string) =>
  db
    .updateTable('hub_users')
    .set({ removed_at: new Date(), password_hash: null })
    .where('id', '=', id)
    .execute();

export const setPassword = (db: Db, id: string, hash: string) =>
  db.updateTable('hub_users').set({ password_hash: hash }).where('id', '=', id).execute();

/** The invitation with this token hash that is neither accepted nor expired, with its user. */
export const findOpenInvitation = (db: Db, hash: string, now: Date) =>
  db
    .selectFrom('hub_invitations as i')
    .innerJoin('hub_users as u', 'u.id', 'i.user_id')
    .select(['i.token_hash', 'i.expires_at', 'u.id as user_id', 'u.email', 'u.partner_id', 'u.role'])
    .where('i.token_hash', '=', hash)
    .where('i.accepted_at', 'is', null)
    .where('i.expires_at', '>', now)
    .where('u.removed_at', 'is', null)
    .executeTakeFirst();

/** Marks it accepted; false when another request accepted it first (a link works once). */
export const acceptInvitationRow = async (db: Db, hash: string): Promise<boolean> =>
  (
    await db
      .updateTable('hub_invitations')
      .set({ accepted_at: new Date() })
      .where('token_hash', '=', hash)
      .where('accepted_at', 'is', null)
      .executeTakeFirst()
  ).numUpdatedRows > 0n;

export const insertSession = (
  db: Db,
  row: { id_hash: string; user_id: string; csrf_token: string; ip: string | null; expires_at: Date },
) => db.insertInto('hub_sessions').values(row).execute();

/** A live session and its user (not removed). */
export const findLiveSession = (db: Db, idHash: string, now: Date) =>
  db
    .selectFrom('hub_sessions as s')
    .innerJoin('hub_users as u', 'u.id', 's.user_id')
    .select([
      's.id_hash',
      's.csrf_token',
      's.expires_at',
      'u.id as user_id',
      'u.email',
      'u.role',
      'u.partner_id',
    ])
    .where('s.id_hash', '=', idHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('u.removed_at', 'is', null)
    .executeTakeFirst();

export const revokeSession = (db: Db, idHash: string) =>
  db.updateTable('hub_sessions').set({ revoked_at: new Date() }).where('id_hash', '=', idHash).execute();

export const revokeUserSessions = (db: Db, userId: string) =>
  db
    .updateTable('hub_sessions')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();

export const partnerName = async (db: Db, partnerId: string): Promise<string> =>
  (await db.selectFrom('partners').select('name').where('id', '=', partnerId).executeTakeFirstOrThrow()).name;

export const insertOutbox = (
  db: Db,
  row: {
    id: string;
    partner_id: string | null;
    recipient: string;
    subject: string;
    body: string;
    sent: boolean;
  },
) => db.insertInto('hub_outbox').values(row).execute();

export const listOutbox = (db: Db, limit: number) =>
  db
    .selectFrom('hub_outbox')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
