import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, ValidationError } from '@0bit/core/errors';
import { newObjectId } from '@0bit/core/ids';
import type { Selectable } from 'kysely';
import type { AuditActor } from './audit.ts';
import { writeAudit } from './audit.ts';
import type { Db } from './connection.ts';
import type { HubUsersTable } from './schema.ts';

/**
 * The Partner Hub's people, shared by the operator's side (POST /admin/partners, npm run admin) and the Hub
 * itself (owners inviting teammates): users of a partner with a role, and their one-time invitations.
 */
export type Role = 'owner' | 'developer' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'developer', 'viewer'];
export type HubUserRow = Selectable<HubUsersTable>;

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 72 * 3600_000;

/** Only the SHA-256 of a bearer token (invitation, session) is stored: a database dump signs nobody in. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
export const newToken = (): string => randomBytes(32).toString('base64url');

const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,190}\.[^\s@<>"]{2,63}$/;

export function normalizeEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (!EMAIL.test(value)) throw new ValidationError([`${JSON.stringify(email)} is not an email address`]);
  return value;
}

export interface Invitation {
  userId: string;
  email: string;
  role: Role;
  /** The raw token: in the link, shown or mailed once, never stored. */
  token: string;
  expiresAt: Date;
}

/**
 * Invites `email` to the partner with `role`: creates the user (no password yet) and a one-time invitation.
 * Inviting someone already invited (not yet accepted) to the same partner issues a fresh link; an email in use
 * by an active account, or by another partner, is a conflict. Call it inside the change's transaction.
 */
export async function inviteUser(
  db: Db,
  input: { partnerId: string; email: string; role: Role; actor: AuditActor; ip?: string | null },
  now = new Date(),
): Promise<Invitation> {
  const email = normalizeEmail(input.email);
  const existing = await db.selectFrom('hub_users').selectAll().where('email', '=', email).executeTakeFirst();
  let userId: string;
  if (existing) {
    if (existing.partner_id !== input.partnerId || (existing.password_hash !== null && !existing.removed_at))
      throw new ConflictError(`${email} already has a Partner Hub account`);
    userId = existing.id;
    await db
      .updateTable('hub_users')
      .set({ role: input.role, removed_at: null, password_hash: null })
      .where('id', '=', userId)
      .execute();
    await db.deleteFrom('hub_invitations').where('user_id', '=', userId).execute();
  } else {
    userId = newObjectId();
    await db
      .insertInto('hub_users')
      .values({ id: userId, partner_id: input.partnerId, email, role: input.role })
      .execute();
  }
  const token = newToken();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  await db
    .insertInto('hub_invitations')
    .values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt })
    .execute();
  await writeAudit(db, {
    actor: input.actor,
    partnerId: input.partnerId,
    mode: null,
    action: 'hub.user.invite',
    target: `user:${userId}`,
    ip: input.ip ?? null,
    before: existing ? { email, role: existing.role } : null,
    after: { email, role: input.role },
  });
  return { userId, email, role: input.role, token, expiresAt };
}

/** The link that accepts an invitation, on the Hub's public URL. */
export const invitationUrl = (hubUrl: string, token: string): string =>
  `${hubUrl.replace(/\/+$/, '')}/invitations/${encodeURIComponent(token)}`;
