import type { Db } from '@0bit/db/connection';
import { sql } from 'kysely';

/** Open orders by mode and status (the partial index exchange_orders_open serves it): the metrics gauge. */
export async function countOpenOrders(
  db: Db,
): Promise<Array<{ mode: string; status: string; count: number }>> {
  const result = await sql<{ mode: string; status: string; count: string }>`
    SELECT mode, status, count(*)::text AS count FROM exchange_orders
    WHERE status IN ('NEW', 'PENDING', 'EXCHANGE', 'EMERGENCY') GROUP BY mode, status`.execute(db);
  return result.rows.map((r) => ({ mode: r.mode, status: r.status, count: Number(r.count) }));
}
