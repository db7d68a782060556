import type { Mode } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import type { ApiKeysTable } from '@0bit/db/schema';
import { type Selectable, sql } from 'kysely';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export interface KeyLookup {
  key_id: string;
  kind: 'publishable' | 'secret';
  mode: Mode;
  partner_id: string;
  partner_name: string;
  /** The key's own mode's list: a test key never sees (or changes) live's. */
  allowed_domains: string[];
  kyc_trusted: boolean;
  /** This mode's monthly session quota; null when unlimited. */
  monthly_sessions: number | null;
  /** Per-customer daily limits by currency (admin); null when none. */
  customer_daily_limits: Record<string, string> | null;
  /** Decided with the database clock, so instances with skewed clocks agree. */
  revoked: boolean;
}

export async function insertApiKeys(
  db: Db,
  rows: Array<Pick<ApiKeyRow, 'id' | 'partner_id' | 'kind' | 'mode' | 'key_hash' | 'display_prefix'>>,
): Promise<void> {
  await db.insertInto('api_keys').values(rows).execute();
}

/** One indexed query per request: the key, its partner, its mode's settings, and whether it is revoked. */
function keyLookupQuery(db: Db) {
  return db
    .selectFrom('api_keys as k')
    .innerJoin('partners as p', 'p.id', 'k.partner_id')
    .leftJoin('partner_allowed_domains as d', (join) =>
      join.onRef('d.partner_id', '=', 'k.partner_id').onRef('d.mode', '=', 'k.mode'),
    )
    .leftJoin('partner_quotas as q', (join) =>
      join.onRef('q.partner_id', '=', 'k.partner_id').onRef('q.mode', '=', 'k.mode'),
    )
    .select([
      'k.id as key_id',
      'k.kind',
      'k.mode',
      'p.id as partner_id',
      'p.name as partner_name',
      sql<string[]>`coalesce(d.allowed_domains, '[]'::jsonb)`.as('allowed_domains'),
      'p.kyc_trusted',
      'q.monthly_sessions',
      'p.customer_daily_limits',
      sql<boolean>`(k.revoked_at IS NOT NULL AND k.revoked_at <= now())`.as('revoked'),
    ]);
}

export async function lookupKey(db: Db, keyHash: string): Promise<KeyLookup | undefined> {
  return keyLookupQuery(db).where('k.key_hash', '=', keyHash).executeTakeFirst();
}

/** The same lookup by key id: embed tokens name the publishable key that minted them. */
export async function lookupKeyById(db: Db, keyId: string): Promise<KeyLookup | undefined> {
  return keyLookupQuery(db).where('k.id', '=', keyId).executeTakeFirst();
}

export async function touchKey(db: Db, keyId: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: sql`now()` }).where('id', '=', keyId).execute();
}

export async function listPartnerKeys(db: Db, partnerId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

export async function findPartnerKey(db: Db, partnerId: string, id: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Secret keys of a mode with no revocation scheduled: the ones a partner can rely on going forward. */
export async function countActiveSecretKeys(db: Db, partnerId: string, mode: Mode): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('partner_id', '=', partnerId)
    .where('mode', '=', mode)
    .where('kind', '=', 'secret')
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Schedules revocation `inSeconds` from now (0 = now); an earlier schedule is kept if sooner. */
export async function scheduleRevocation(db: Db, id: string, inSeconds: number): Promise<ApiKeyRow> {
  return db
    .updateTable('api_keys')
    .set({
      revoked_at: sql`LEAST(coalesce(revoked_at, 'infinity'::timestamptz), now() + make_interval(secs => ${inSeconds}))`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
