import type { Mode } from '@0bit/core/scope';
import { TurnBatcher } from '@0bit/core/turn-batcher';
import type { Db } from '@0bit/db/connection';
import type { ExchangeQuotesTable } from '@0bit/db/schema';
import { type Selectable, sql } from 'kysely';

export type QuoteRow = Selectable<ExchangeQuotesTable>;
type NewQuote = Omit<QuoteRow, 'created_at' | 'used_by' | 'used_at'>;

/** Stores several quotes in one statement (one commit); answers the stored rows in the order given. */
async function insertQuotes(db: Db, rows: NewQuote[]): Promise<QuoteRow[]> {
  const stored = await db.insertInto('exchange_quotes').values(rows).returningAll().execute();
  // RETURNING promises no order: match by id.
  const byId = new Map(stored.map((row) => [row.id, row]));
  return rows.map((row) => byId.get(row.id) as QuoteRow);
}

/**
 * Every fixed quote is a row a later `/create` relies on, so each is committed before it is answered; the
 * quotes of one event-loop turn share that commit.
 */
export class QuoteWriter {
  private readonly batcher: TurnBatcher<NewQuote, QuoteRow>;

  constructor(db: Db) {
    this.batcher = new TurnBatcher((rows) => insertQuotes(db, rows));
  }

  insert(row: NewQuote): Promise<QuoteRow> {
    return this.batcher.add(row);
  }
}

/** The newest unused fixed quote for exactly these terms that has not expired, if the partner asked for one. */
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
    .where('used_by', 'is', null)
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
  scope: { partnerId: string; mode: Mode },
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

/**
 * A fixed quote backs one order: the compare-and-set that marks it used by `orderId`, in the transaction
 * that creates the order. False when another create took it first (or it expired meanwhile).
 */
export async function claimQuote(db: Db, id: string, orderId: string): Promise<boolean> {
  const claimed = await db
    .updateTable('exchange_quotes')
    .set({ used_by: orderId, used_at: sql`now()` })
    .where('id', '=', id)
    .where('used_by', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}
