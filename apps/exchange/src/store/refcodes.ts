import type { Selectable } from 'kysely';
import type { Db } from '../../../api/src/store/db.ts';
import type { ExchangeRefcodesTable } from '../../../api/src/store/schema.ts';

export type RefcodeRow = Selectable<ExchangeRefcodesTable>;

export async function insertRefcode(
  db: Db,
  row: Omit<RefcodeRow, 'created_at'>,
): Promise<RefcodeRow | undefined> {
  return db
    .insertInto('exchange_refcodes')
    .values(row)
    .onConflict((oc) => oc.columns(['partner_id', 'code']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The named code, or the partner's default when `code` is undefined. */
export async function findRefcode(
  db: Db,
  partnerId: string,
  code: string | undefined,
): Promise<RefcodeRow | undefined> {
  const query = db.selectFrom('exchange_refcodes').selectAll().where('partner_id', '=', partnerId);
  return (
    code === undefined ? query.where('is_default', '=', true) : query.where('code', '=', code)
  ).executeTakeFirst();
}

export async function listRefcodes(db: Db, partnerId: string): Promise<RefcodeRow[]> {
  return db
    .selectFrom('exchange_refcodes')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('created_at')
    .orderBy('code')
    .execute();
}

export async function updateRefcode(
  db: Db,
  partnerId: string,
  code: string,
  changes: { markup_bps?: number; is_default?: boolean },
): Promise<RefcodeRow | undefined> {
  return db
    .updateTable('exchange_refcodes')
    .set(changes)
    .where('partner_id', '=', partnerId)
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirst();
}

export async function clearDefaultRefcode(db: Db, partnerId: string): Promise<void> {
  await db
    .updateTable('exchange_refcodes')
    .set({ is_default: false })
    .where('partner_id', '=', partnerId)
    .where('is_default', '=', true)
    .execute();
}
