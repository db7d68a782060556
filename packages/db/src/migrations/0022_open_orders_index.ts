import { type Kysely, sql } from 'kysely';

/**
 * The `exchange_open_orders` gauge (docs/operating.md, "Metrics") counts open 0trace orders by status on
 * every scrape: a partial index over the open ones keeps that read small however many orders have finished.
 * Additive: code without the gauge ignores it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX exchange_orders_open ON exchange_orders (mode, status)
      WHERE status IN ('NEW', 'PENDING', 'EXCHANGE', 'EMERGENCY');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX exchange_orders_open;`.execute(db);
}
