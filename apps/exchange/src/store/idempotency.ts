import type { Db } from '@0bit/db/connection';
import type { ExchangeIdempotencyTable } from '@0bit/db/schema';
import type { Selectable } from 'kysely';

export type IdempotencyRow = Selectable<ExchangeIdempotencyTable>;

export async function findIdempotent(
  db: Db,
  key: Pick<IdempotencyRow, 'partner_id' | 'mode' | 'key'>,
): Promise<IdempotencyRow | undefined> {
  return db
    .selectFrom('exchange_idempotency')
    .selectAll()
    .where('partner_id', '=', key.partner_id)
    .where('mode', '=', key.mode)
    .where('key', '=', key.key)
    .executeTakeFirst();
}

/** False when a concurrent request with the same key committed first (the caller replays that one). */
export async function insertIdempotent(db: Db, row: Omit<IdempotencyRow, 'created_at'>): Promise<boolean> {
  const inserted = await db
    .insertInto('exchange_idempotency')
    .values(row)
    .onConflict((oc) => oc.columns(['partner_id', 'mode', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}
