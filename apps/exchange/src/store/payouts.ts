import type { Db } from '@0bit/db/connection';
import type { ExchangePayoutsTable } from '@0bit/db/schema';
import { type Insertable, type Selectable, sql } from 'kysely';

export type PayoutRow = Selectable<ExchangePayoutsTable>;

/** Records a claim; runs in the transaction that took the order's due settlement. */
export async function insertPayout(db: Db, row: Insertable<ExchangePayoutsTable>): Promise<PayoutRow> {
  return db.insertInto('exchange_payouts').values(row).returningAll().executeTakeFirstOrThrow();
}

/** `sending` → `sent`: the compare-and-set that records a chain's answer once, whoever brings it. */
export async function markSent(db: Db, reference: string, tx: string): Promise<PayoutRow | undefined> {
  return db
    .updateTable('exchange_payouts')
    .set({ state: 'sent', tx, sent_at: sql`now()` })
    .where('reference', '=', reference)
    .where('state', '=', 'sending')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Takes over in-flight payouts whose claim is older than `graceMs` (its claimer died or lost the answer):
 * each row is re-claimed by a compare-and-set on `claimed_at`, so of several instances one resolves it per
 * grace period.
 */
export async function reclaimStale(db: Db, graceMs: number, limit: number): Promise<PayoutRow[]> {
  const stale = sql<boolean>`claimed_at <= now() - ${graceMs} * interval '1 millisecond'`;
  return db
    .updateTable('exchange_payouts')
    .set({ claimed_at: sql`now()`, attempts: sql`attempts + 1` })
    .where('state', '=', 'sending')
    .where(stale)
    .where(
      'reference',
      'in',
      db
        .selectFrom('exchange_payouts')
        .select('reference')
        .where('state', '=', 'sending')
        .where(stale)
        .orderBy('claimed_at')
        .limit(limit),
    )
    .returningAll()
    .execute();
}

export async function findPayouts(db: Db, orderId: string): Promise<PayoutRow[]> {
  return db.selectFrom('exchange_payouts').selectAll().where('order_id', '=', orderId).execute();
}
