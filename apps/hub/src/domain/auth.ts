import { randomBytes } from 'node:crypto';
import { AuthenticationError, PermissionError, RateLimitError, ValidationError } from '@0bit/core/errors';
import { writeAudit } from '@0bit/db/audit';
import { type Db, inTransaction } from '@0bit/db/connection';
import { newToken, normalizeEmail, type Role, tokenHash } from '@0bit/db/people';
import type { WindowCounter } from '@0bit/http/counters';
import {
  acceptInvitationRow,
  findLiveSession,
  findOpenInvitation,
  findUserByEmail,
  insertSession,
  revokeSession,
  revokeUserSessions,
  setPassword,
} from '../store/people.ts';
import { checkPassword, hashPassword, passwordProblem } from './passwords.ts';

/** A signed-in person, as every console route sees them. */
export interface HubSession {
  idHash: string;
  csrfToken: string;
  userId: string;
  email: string;
  role: Role;
  partnerId: string;
}

export const SESSION_TTL_MS = 12 * 3600_000;
/** Sign-in attempts: per account and per IP within the lock-out window; past them the account/IP waits. */
export interface Lockout {
  windowMs: number;
  perAccount: number;
  perIp: number;
}
export const LOCKOUT: Lockout = { windowMs: 15 * 60_000, perAccount: 5, perIp: 100 };

const isOwner = (role: Role) => role === 'owner';
/** Who may change what: owners everything, developers keys (and later webhooks, branding), viewers nothing. */
export function requireRole(session: HubSession, allowed: readonly Role[]): void {
  if (!allowed.includes(session.role))
    throw new PermissionError(
      `Your role (${session.role}) cannot do this; ask an owner of your team${isOwner(session.role) ? '' : ''}.`,
    );
}
export const CAN_MANAGE_KEYS: readonly Role[] = ['owner', 'developer'];
export const CAN_MANAGE_TEAM: readonly Role[] = ['owner'];

async function countAttempt(
  counter: WindowCounter,
  windowMs: number,
  key: string,
  limit: number,
  what: string,
) {
  const { count, resetMs } = await counter.hit(key, windowMs);
  if (count > limit) {
    const minutes = Math.max(1, Math.ceil(resetMs / 60_000));
    throw new RateLimitError(
      `Too many sign-in attempts ${what}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      Math.ceil(resetMs / 1000),
    );
  }
}

/**
 * Signs in: counts the attempt per IP and per account (locked out past LOCKOUT, before the password is even
 * checked), then opens a new server-side session. The caller drops any session the browser came with, so
 * a session id planted before sign-in is never the signed-in one (no fixation).
 */
export async function signIn(
  db: Db,
  counter: WindowCounter,
  input: { email: string; password: string; ip: string },
  lockout: Lockout = LOCKOUT,
): Promise<{ token: string; session: HubSession }> {
  await countAttempt(
    counter,
    lockout.windowMs,
    `hub.signin.ip:${input.ip}`,
    lockout.perIp,
    'from your network',
  );
  let email: string;
  try {
    email = normalizeEmail(input.email);
  } catch {
    throw new AuthenticationError('Email or password is wrong.');
  }
  await countAttempt(
    counter,
    lockout.windowMs,
    `hub.signin.account:${email}`,
    lockout.perAccount,
    'for this account',
  );
  const user = await findUserByEmail(db, email);
  const ok = await checkPassword(user && !user.removed_at ? user.password_hash : null, input.password);
  if (!user || !ok) throw new AuthenticationError('Email or password is wrong.');
  const token = newToken();
  const session: HubSession = {
    idHash: tokenHash(token),
    csrfToken: randomBytes(32).toString('base64url'),
    userId: user.id,
    email: user.email,
    role: user.role,
    partnerId: user.partner_id,
  };
  await inTransaction(db, async (trx) => {
    await insertSession(trx, {
      id_hash: session.idHash,
      user_id: user.id,
      csrf_token: session.csrfToken,
      ip: input.ip,
      expires_at: new Date(Date.now() + SESSION_TTL_MS),
    });
    await writeAudit(trx, {
      actor: { kind: 'user', id: user.id },
      partnerId: user.partner_id,
      mode: null,
      action: 'hub.session.sign_in',
      target: `user:${user.id}`,
      ip: input.ip,
    });
  });
  return { token, session };
}

export async function sessionFor(db: Db, token: string | undefined): Promise<HubSession | null> {
  if (!token || token.length > 100) return null;
  const row = await findLiveSession(db, tokenHash(token), new Date());
  if (!row) return null;
  return {
    idHash: row.id_hash,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    email: row.email,
    role: row.role,
    partnerId: row.partner_id,
  };
}

/** Ends a session presented by a browser (e.g. one it had before signing in again). */
export const dropSession = (db: Db, token: string) => revokeSession(db, tokenHash(token));

export async function signOut(db: Db, session: HubSession, ip: string, everywhere: boolean): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (everywhere) await revokeUserSessions(trx, session.userId);
    else await revokeSession(trx, session.idHash);
    await writeAudit(trx, {
      actor: { kind: 'user', id: session.userId },
      partnerId: session.partnerId,
      mode: null,
      action: everywhere ? 'hub.session.sign_out_everywhere' : 'hub.session.sign_out',
      target: `user:${session.userId}`,
      ip,
    });
  });
}

/** The invitation behind a link, if it can still be accepted. */
export async function openInvitation(db: Db, token: string) {
  if (!token || token.length > 100) return null;
  return (await findOpenInvitation(db, tokenHash(token), new Date())) ?? null;
}

/** Sets the invited person's password; the link then stops working. */
export async function acceptInvitation(db: Db, token: string, password: string, ip: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError([problem]);
  const hash = await hashPassword(password);
  return inTransaction(db, async (trx) => {
    const invitation = await findOpenInvitation(trx, tokenHash(token), new Date());
    if (!invitation || !(await acceptInvitationRow(trx, invitation.token_hash)))
      throw new AuthenticationError('This invitation link is no longer valid; ask an owner for a new one.');
    await setPassword(trx, invitation.user_id, hash);
    await writeAudit(trx, {
      actor: { kind: 'user', id: invitation.user_id },
      partnerId: invitation.partner_id,
      mode: null,
      action: 'hub.user.accept_invitation',
      target: `user:${invitation.user_id}`,
      ip,
      after: { email: invitation.email, role: invitation.role },
    });
    return invitation.email;
  });
}
