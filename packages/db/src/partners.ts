import type { Mode, Scope } from '@0bit/core/scope';
import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import { type Db, jsonb, olderThan } from './connection.ts';
import type { Database, PartnersTable } from './schema.ts';

/** A partner with its live allowed domains (the list an operator sees first; each mode has its own). */
export type PartnerRow = Selectable<PartnersTable> & { allowed_domains: string[] };

const MODES: readonly Mode[] = ['test', 'live'];

/** One mode's list for the partner in the outer query; no row means none registered. */
const modeDomains = (eb: ExpressionBuilder<Database, 'partners'>, mode: Mode) =>
  sql<string[]>`coalesce(${eb
    .selectFrom('partner_allowed_domains as d')
    .select('d.allowed_domains')
    .whereRef('d.partner_id', '=', 'partners.id')
    .where('d.mode', '=', mode)}, '[]'::jsonb)`;

const partnerColumns = (eb: ExpressionBuilder<Database, 'partners'>) =>
  [
    'partners.id',
    'partners.name',
    'partners.kyc_trusted',
    'partners.customer_daily_limits',
    'partners.created_at',
    modeDomains(eb, 'live').as('allowed_domains'),
  ] as const;

/** Creates the partner; `allowed_domains` starts as the list of both modes. */
export async function insertPartner(
  db: Db,
  row: { id: string; name: string; allowed_domains: string[]; kyc_trusted: boolean },
): Promise<PartnerRow> {
  const { allowed_domains, ...partner } = row;
  const inserted = await db.insertInto('partners').values(partner).returningAll().executeTakeFirstOrThrow();
  await db
    .insertInto('partner_allowed_domains')
    .values(MODES.map((mode) => ({ partner_id: row.id, mode, allowed_domains: jsonb(allowed_domains) })))
    .execute();
  return { ...inserted, allowed_domains };
}

export async function findPartner(db: Db, id: string): Promise<PartnerRow | undefined> {
  return db.selectFrom('partners').select(partnerColumns).where('partners.id', '=', id).executeTakeFirst();
}

export async function listPartners(db: Db, limit: number, startingAfter?: PartnerRow): Promise<PartnerRow[]> {
  let query = db.selectFrom('partners').select(partnerColumns);
  if (startingAfter) query = query.where(olderThan(startingAfter));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function updatePartner(
  db: Db,
  id: string,
  changes: { kyc_trusted?: boolean; customer_daily_limits?: Record<string, string> | null },
): Promise<PartnerRow | undefined> {
  const { customer_daily_limits, ...rest } = changes;
  const updated = await db
    .updateTable('partners')
    .set({
      ...rest,
      ...(customer_daily_limits !== undefined
        ? { customer_daily_limits: customer_daily_limits === null ? null : jsonb(customer_daily_limits) }
        : {}),
    })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return updated ? findPartner(db, id) : undefined;
}

/** Each mode's allowed domains. */
export async function findAllowedDomains(db: Db, partnerId: string): Promise<Record<Mode, string[]>> {
  const rows = await db
    .selectFrom('partner_allowed_domains')
    .select(['mode', 'allowed_domains'])
    .where('partner_id', '=', partnerId)
    .execute();
  const byMode: Record<Mode, string[]> = { test: [], live: [] };
  for (const row of rows) byMode[row.mode] = row.allowed_domains;
  return byMode;
}

/** Replaces one mode's list; the other mode's list is not touched. */
export async function replaceAllowedDomainsRow(db: Db, scope: Scope, domains: string[]): Promise<string[]> {
  const row = await db
    .insertInto('partner_allowed_domains')
    .values({ partner_id: scope.partnerId, mode: scope.mode, allowed_domains: jsonb(domains) })
    .onConflict((oc) =>
      oc
        .columns(['partner_id', 'mode'])
        .doUpdateSet({ allowed_domains: jsonb(domains), updated_at: sql`now()` }),
    )
    .returning('allowed_domains')
    .executeTakeFirstOrThrow();
  return row.allowed_domains;
}

/** Whether any partner registered this exact origin in either mode (for CORS preflights, which carry no key). */
export async function isRegisteredOrigin(db: Db, origin: string): Promise<boolean> {
  const row = await db
    .selectFrom('partner_allowed_domains')
    .select('partner_id')
    .where(sql<boolean>`allowed_domains @> ${JSON.stringify([origin])}::jsonb`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Serialises changes to one partner's keys or settings (held until the transaction ends).
 *
 * FOR NO KEY UPDATE, not FOR UPDATE: every write first claims its Idempotency-Key, an insert of a row that
 * references the partner, which takes FOR KEY SHARE on the partner row (the foreign-key check) for the
 * rest of the transaction. FOR UPDATE conflicts with FOR KEY SHARE, so two writes that had both claimed
 * their key each waited for the other's share lock: a deadlock, which PostgreSQL ends by failing one of them
 * (a 500). FOR NO KEY UPDATE conflicts with itself (the writes still go one at a time) but not with the
 * foreign-key share locks, so the lock order no longer matters (apps/api/test/portal.test.ts).
 */
export async function lockPartner(db: Db, id: string): Promise<void> {
  await db.selectFrom('partners').select('id').where('id', '=', id).forNoKeyUpdate().execute();
}
