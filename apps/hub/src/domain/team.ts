import { ConflictError, NotFoundError, ValidationError } from '@0bit/core/errors';
import { isObjectId } from '@0bit/core/ids';
import { writeAudit } from '@0bit/db/audit';
import { type Db, inTransaction } from '@0bit/db/connection';
import { lockPartner } from '@0bit/db/partners';
import { type HubUserRow, invitationUrl, inviteUser, ROLES, type Role } from '@0bit/db/people';
import {
  countOwners,
  findUser,
  listPartnerUsers,
  markRemoved,
  revokeUserSessions,
  setRole,
} from '../store/people.ts';
import { CAN_MANAGE_TEAM, type HubSession, requireRole } from './auth.ts';
import type { Mailer } from './mail.ts';

export interface TeamMember {
  id: string;
  email: string;
  role: Role;
  /** False until the invitation is accepted. */
  active: boolean;
}

const toMember = (row: HubUserRow): TeamMember => ({
  id: row.id,
  email: row.email,
  role: row.role,
  active: row.password_hash !== null,
});

export const listTeam = async (db: Db, session: HubSession): Promise<TeamMember[]> =>
  (await listPartnerUsers(db, session.partnerId)).map(toMember);

export function parseRole(value: unknown): Role {
  if (typeof value === 'string' && (ROLES as readonly string[]).includes(value)) return value as Role;
  throw new ValidationError([`role must be one of ${ROLES.join(', ')}`]);
}

/** An owner invites a teammate; the link goes out by mail (or to the outbox) and is never shown again. */
export async function inviteTeammate(
  db: Db,
  mailer: Mailer,
  hubUrl: string,
  session: HubSession,
  input: { email: string; role: Role },
  ip: string,
): Promise<TeamMember> {
  requireRole(session, CAN_MANAGE_TEAM);
  return inTransaction(db, async (trx) => {
    const invitation = await inviteUser(trx, {
      partnerId: session.partnerId,
      email: input.email,
      role: input.role,
      actor: { kind: 'user', id: session.userId },
      ip,
    });
    await mailer.send(trx, {
      partnerId: session.partnerId,
      to: invitation.email,
      subject: 'You are invited to the 0Bit Partner Hub',
      text: [
        `${session.email} invited you to their team on the 0Bit Partner Hub as ${invitation.role}.`,
        '',
        `Choose your password here (the link works once, until ${invitation.expiresAt.toISOString()}):`,
        invitationUrl(hubUrl, invitation.token),
      ].join('\n'),
    });
    return { id: invitation.userId, email: invitation.email, role: invitation.role, active: false };
  });
}

async function teammate(trx: Db, session: HubSession, userId: string): Promise<HubUserRow> {
  const row = isObjectId(userId) ? await findUser(trx, userId) : undefined;
  // Another partner's person is as absent as no one.
  if (!row || row.partner_id !== session.partnerId || row.removed_at)
    throw new NotFoundError('No such teammate');
  return row;
}

export async function changeRole(
  db: Db,
  session: HubSession,
  userId: string,
  role: Role,
  ip: string,
): Promise<TeamMember> {
  requireRole(session, CAN_MANAGE_TEAM);
  return inTransaction(db, async (trx) => {
    await lockPartner(trx, session.partnerId);
    const row = await teammate(trx, session, userId);
    if (row.role === 'owner' && role !== 'owner' && (await countOwners(trx, session.partnerId)) <= 1)
      throw new ConflictError('The team needs at least one owner; make someone else an owner first.');
    await setRole(trx, row.id, role);
    await writeAudit(trx, {
      actor: { kind: 'user', id: session.userId },
      partnerId: session.partnerId,
      mode: null,
      action: 'hub.user.change_role',
      target: `user:${row.id}`,
      ip,
      before: { email: row.email, role: row.role },
      after: { email: row.email, role },
    });
    return { ...toMember(row), role };
  });
}

/** Removes a teammate: their sessions end now and the account can no longer sign in. */
export async function removeTeammate(db: Db, session: HubSession, userId: string, ip: string): Promise<void> {
  requireRole(session, CAN_MANAGE_TEAM);
  await inTransaction(db, async (trx) => {
    await lockPartner(trx, session.partnerId);
    const row = await teammate(trx, session, userId);
    if (row.role === 'owner' && (await countOwners(trx, session.partnerId)) <= 1)
      throw new ConflictError('The team needs at least one owner; make someone else an owner first.');
    await markRemoved(trx, row.id);
    await revokeUserSessions(trx, row.id);
    await writeAudit(trx, {
      actor: { kind: 'user', id: session.userId },
      partnerId: session.partnerId,
      mode: null,
      action: 'hub.user.remove',
      target: `user:${row.id}`,
      ip,
      before: { email: row.email, role: row.role },
      after: null,
    });
  });
}
