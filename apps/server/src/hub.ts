import { createKey, listKeys, revokeKey } from '@0bit/api/domain/portal-keys';
import type { Db } from '@0bit/db/connection';
import type { WindowCounter } from '@0bit/http/counters';
import { buildHub, type HubDeps } from '@0bit/hub/app';
import type { PortalKeys } from '@0bit/hub/domain/keys';

/** The portal API's own key functions, handed to the Hub: one implementation behind both surfaces. */
export const PORTAL_KEYS: PortalKeys = { listKeys, createKey, revokeKey };

/** The Partner Hub wired to 0Gate's domain code; `npm start` (services.ts) and the Hub's tests use this. */
export function buildWiredHub(
  options: { db: Db; counter: WindowCounter | null; publicUrl: string } & Omit<
    HubDeps,
    'db' | 'counter' | 'publicUrl' | 'keys'
  >,
) {
  return buildHub({ ...options, keys: PORTAL_KEYS });
}
