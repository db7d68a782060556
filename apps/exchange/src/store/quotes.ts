import { type Selectable, sql } from 'kysely';
import type { Db } from '../../../api/src/store/db.ts';
import type { ExchangeQuotesTable } from '../../../api/src/store/schema.ts';

export type QuoteRow = Selectable<ExchangeQuotesTable>;

export async function insertQuote(db: Db, row: Omit<QuoteRow, 'created_at'>): Promise<QuoteRow> {
  return db.insertInto('exchange_quotes').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The newest fixed quote for exactly these terms that has not expired, if the partner asked for one. */
export async function findLiveQuote(
  db: Db,
  terms: Pick<QuoteRow, 'partner_id' | 'mode' | 'from_ccy' | 'to_ccy' | 'direction' | 'amount' | 'refcode'>,
): Promise<QuoteRow | undefined> {
  return db
    .selectFrom('exchange_quotes')
    .selectAll()
    .where('partner_id', '=', terms.partner_id)
    .where('mode', '=', terms.mode)
    .where('from_ccy', '=', terms.from_ccy)
    .where('to_ccy', '=', terms.to_ccy)
    .where('direction', '=', terms.direction)
    .where('amount', '=', terms.amount)
    .where('refcode', '=', terms.refcode)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('expires_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function deleteExpiredQuotes(db: Db): Promise<void> {
  await db
    .deleteFrom('exchange_quotes')
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
}

export async function findQuote(
  db: Db,
  scope: { partnerId: string; mode: 'test' | 'live' },
  id: string,
): Promise<QuoteRow | undefined> {
  return db
    .selectFrom('exchange_quotes')
    .selectAll()
    .where('id', '=', id)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .executeTakeFirst();
}
