import { randomUUID } from 'node:crypto';
import type { Scope } from '@0bit/core/scope';
import { type Db, json } from '@0bit/db/connection';
import type { ExchangeOrdersTable, ExchangeStatus } from '@0bit/db/schema';
import { carryTraceContext } from '@0bit/webhooks/store';
import { type Selectable, sql, type Updateable } from 'kysely';

export type OrderRow = Selectable<ExchangeOrdersTable>;
export type OrderChanges = Updateable<ExchangeOrdersTable>;

export async function insertOrder(
  db: Db,
  row: Omit<OrderRow, 'created_at' | 'updated_at'>,
): Promise<OrderRow> {
  return db.insertInto('exchange_orders').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findOrder(db: Db, scope: Scope, id: string): Promise<OrderRow | undefined> {
  return db
    .selectFrom('exchange_orders')
    .selectAll()
    .where('id', '=', id)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .executeTakeFirst();
}

/**
 * Moves an order only if it is still in one of `from`: the compare-and-set that makes every transition
 * happen once, whichever instance (or sweep, or reader) gets there first. Undefined when another won.
 */
export async function transitionOrder(
  db: Db,
  id: string,
  from: readonly ExchangeStatus[],
  changes: OrderChanges,
): Promise<OrderRow | undefined> {
  return db
    .updateTable('exchange_orders')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Takes an order's due settlement (a payout in EXCHANGE, or a chosen refund in EMERGENCY) by clearing
 * `settle_at`: the compare-and-set that lets exactly one actor claim the money move. Undefined when nothing
 * is due or another actor took it.
 */
export async function takeDueSettlement(db: Db, id: string): Promise<OrderRow | undefined> {
  return db
    .updateTable('exchange_orders')
    .set({ settle_at: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('settle_at', '<=', sql<Date>`now()`)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'EXCHANGE'),
        eb.and([eb('status', '=', 'EMERGENCY'), eb('emergency_choice', '=', 'REFUND')]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** An emergency is decided once: the choice is a compare-and-set on an EMERGENCY order without one. */
export async function chooseEmergency(
  db: Db,
  id: string,
  changes: OrderChanges & { emergency_choice: 'EXCHANGE' | 'REFUND' },
): Promise<OrderRow | undefined> {
  return db
    .updateTable('exchange_orders')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'EMERGENCY')
    .where('emergency_choice', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Orders whose next step is due: NEW past the deposit deadline, or a settlement whose time has come. */
export async function dueOrderIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('exchange_orders')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'NEW'), eb('deposit_deadline', '<=', sql<Date>`now()`)]),
        eb('settle_at', '<=', sql<Date>`now()`),
      ]),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function findOrderById(db: Db, id: string): Promise<OrderRow | undefined> {
  return db.selectFrom('exchange_orders').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listOrders(
  db: Db,
  scope: Scope,
  options: { limit: number; status?: ExchangeStatus | undefined; after?: OrderRow | undefined },
): Promise<OrderRow[]> {
  let query = db
    .selectFrom('exchange_orders')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode);
  if (options.status) query = query.where('status', '=', options.status);
  const after = options.after;
  if (after)
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.created_at),
        eb.and([eb('created_at', '=', after.created_at), eb('id', '<', after.id)]),
      ]),
    );
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

/** Appends a status event in the caller's transaction; the outbox trigger enqueues its webhook. */
export async function insertOrderEvent(
  db: Db,
  order: OrderRow,
  type: string,
  data: unknown,
): Promise<string> {
  const id = randomUUID();
  await carryTraceContext(db);
  await db
    .insertInto('exchange_events')
    .values({
      id,
      partner_id: order.partner_id,
      mode: order.mode,
      order_id: order.id,
      type,
      data: json(data),
    })
    .execute();
  return id;
}
