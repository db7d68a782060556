import { type Kysely, sql } from 'kysely';

/**
 * The trace context of the request that produced an event travels with its webhook delivery, so the
 * delivery attempts' spans link to that request's trace (docs/operating-build-tracing.md). The outbox
 * triggers insert the delivery; these columns take their values from transaction-local settings that the
 * event's writer sets just before the insert when tracing is on (@0bit/webhooks/store carryTraceContext).
 * With tracing off nothing sets them and they stay null. Additive only: code that predates them keeps
 * inserting deliveries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE webhook_deliveries
      ADD COLUMN traceparent text DEFAULT nullif(current_setting('zerobit.traceparent', true), ''),
      ADD COLUMN request_id text DEFAULT nullif(current_setting('zerobit.request_id', true), '');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE webhook_deliveries DROP COLUMN traceparent, DROP COLUMN request_id;`.execute(db);
}
