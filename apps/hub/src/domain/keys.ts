import { BadRequestError } from '@0bit/core/errors';
import type { Mode, Scope } from '@0bit/core/scope';
import { writeAudit } from '@0bit/db/audit';
import type { Db } from '@0bit/db/connection';
import { CAN_MANAGE_KEYS, type HubSession, requireRole } from './auth.ts';

/** A key as the portal API lists it (GET /portal/keys): never its secret. */
export interface KeySummary {
  id: string;
  type: 'publishable' | 'secret';
  mode: Mode;
  display_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/**
 * The portal API's key functions (apps/api/src/domain/portal-keys.ts), handed in by the composition root:
 * the console calls the very code `GET/POST /portal/keys` and `DELETE /portal/keys/:id` call, never a copy.
 */
export interface PortalKeys {
  listKeys(db: Db, scope: Scope): Promise<KeySummary[]>;
  createKey(db: Db, scope: Scope, type: 'publishable' | 'secret'): Promise<KeySummary & { key: string }>;
  revokeKey(db: Db, scope: Scope, id: string, expiresIn?: number): Promise<KeySummary>;
}

const scopeOf = (session: HubSession, mode: Mode): Scope => ({ partnerId: session.partnerId, mode });

export const listKeys = (keys: PortalKeys, db: Db, session: HubSession, mode: Mode) =>
  keys.listKeys(db, scopeOf(session, mode));

export async function createKey(
  keys: PortalKeys,
  db: Db,
  session: HubSession,
  mode: Mode,
  type: string,
  ip: string,
): Promise<KeySummary & { key: string }> {
  requireRole(session, CAN_MANAGE_KEYS);
  if (type !== 'publishable' && type !== 'secret')
    throw new BadRequestError('type must be publishable or secret');
  const created = await keys.createKey(db, scopeOf(session, mode), type);
  const { key: _raw, ...summary } = created;
  await writeAudit(db, {
    actor: { kind: 'user', id: session.userId },
    partnerId: session.partnerId,
    mode,
    action: 'gate.key.create',
    target: `key:${created.id}`,
    ip,
    after: summary as unknown as Record<string, unknown>,
  });
  return created;
}

export async function revokeKey(
  keys: PortalKeys,
  db: Db,
  session: HubSession,
  mode: Mode,
  id: string,
  ip: string,
): Promise<KeySummary> {
  requireRole(session, CAN_MANAGE_KEYS);
  const revoked = await keys.revokeKey(db, scopeOf(session, mode), id);
  await writeAudit(db, {
    actor: { kind: 'user', id: session.userId },
    partnerId: session.partnerId,
    mode,
    action: 'gate.key.revoke',
    target: `key:${id}`,
    ip,
    before: { ...revoked, revoked_at: null } as unknown as Record<string, unknown>,
    after: revoked as unknown as Record<string, unknown>,
  });
  return revoked;
}
