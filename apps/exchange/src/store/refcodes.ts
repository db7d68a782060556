import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import type { ExchangeRefcodesTable } from '@0bit/db/schema';
import type { Selectable } from 'kysely';

export type RefcodeRow = Selectable<ExchangeRefcodesTable>;
/** Reference codes belong to one mode: the mode of the credentials that manage and use them. */

export async function insertRefcode(
  db: Db,
  row: Omit<RefcodeRow, 'created_at'>,
): Promise<RefcodeRow | undefined> {
  return db
    .insertInto('exchange_refcodes')
    .values(row)
    .onConflict((oc) => oc.columns(['partner_id', 'mode', 'code']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The named code, or the mode's default when `code` is undefined. */
export async function findRefcode(
  db: Db,
  scope: Scope,
  code: string | undefined,
): Promise<RefcodeRow | undefined> {
  const query = db
    .selectFrom('exchange_refcodes')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode);
  return (
    code === undefined ? query.where('is_default', '=', true) : query.where('code', '=', code)
  ).executeTakeFirst();
}

export async function listRefcodes(db: Db, scope: Scope): Promise<RefcodeRow[]> {
  return db
    .selectFrom('exchange_refcodes')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .orderBy('created_at')
    .orderBy('code')
    .execute();
}

export async function updateRefcode(
  db: Db,
  scope: Scope,
  code: string,
  changes: { markup_bps?: number; is_default?: boolean },
): Promise<RefcodeRow | undefined> {
  return db
    .updateTable('exchange_refcodes')
    .set(changes)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('code', '=', code)
    .returningAll()
    .executeTakeFirst();
}

export async function clearDefaultRefcode(db: Db, scope: Scope): Promise<void> {
  await db
    .updateTable('exchange_refcodes')
    .set({ is_default: false })
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('is_default', '=', true)
    .execute();
}

/** A mode's first credentials come with a default code (`default`, 0 bps) unless the mode has one. */
export async function ensureDefaultRefcode(db: Db, scope: Scope): Promise<void> {
  if (await findRefcode(db, scope, undefined)) return;
  await insertRefcode(db, {
    partner_id: scope.partnerId,
    mode: scope.mode,
    code: 'default',
    markup_bps: 0,
    is_default: true,
  });
}
