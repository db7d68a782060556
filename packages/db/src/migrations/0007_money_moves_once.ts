import { type Kysely, sql } from 'kysely';

/**
 * Money moves once (DESIGN.md; issue #14 finding 4). A session may have ONE active widget intent
 * (requires_payment, requires_action or processing), enforced by a partial unique index; a confirm records
 * which money step it has claimed (`phase`) and how many times the intent was confirmed (`attempt`, part of
 * the card charge's idempotency key), and the provider references each step returned.
 *
 * Existing data must not block the index: active intents of sessions that are no longer open are closed
 * as `abandoned`; of several active intents of an open session the one a confirm was paying (else the
 * newest) stays and the others are closed as `superseded`. Closed in-flight intents keep an explicit
 * reason (`abandoned_in_flight`) so an operator can reconcile them with the provider.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE widget_intents
      ADD COLUMN phase text CHECK (phase IN ('charge', 'payout', 'send')),
      ADD COLUMN attempt integer NOT NULL DEFAULT 0,
      ADD COLUMN charge_reference text,
      ADD COLUMN payout_reference text;

    UPDATE widget_intents i
       SET status = 'failed',
           failure_reason = CASE WHEN i.status = 'processing' THEN 'abandoned_in_flight' ELSE 'abandoned' END,
           updated_at = now()
      FROM gate_sessions s
     WHERE s.id = i.session_id
       AND s.status <> 'open'
       AND i.status IN ('requires_payment', 'requires_action', 'processing');

    WITH ranked AS (
      SELECT id, status,
             row_number() OVER (
               PARTITION BY session_id
               ORDER BY (status = 'processing') DESC, created_at DESC, id DESC
             ) AS rank
        FROM widget_intents
       WHERE status IN ('requires_payment', 'requires_action', 'processing')
    )
    UPDATE widget_intents i
       SET status = 'failed',
           failure_reason = CASE WHEN r.status = 'processing' THEN 'abandoned_in_flight' ELSE 'superseded' END,
           updated_at = now()
      FROM ranked r
     WHERE r.id = i.id AND r.rank > 1;

    CREATE UNIQUE INDEX widget_intents_one_active ON widget_intents (session_id)
      WHERE status IN ('requires_payment', 'requires_action', 'processing');
    CREATE INDEX widget_intents_in_flight ON widget_intents (updated_at) WHERE status = 'processing';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX widget_intents_in_flight;
    DROP INDEX widget_intents_one_active;
    ALTER TABLE widget_intents
      DROP COLUMN phase,
      DROP COLUMN attempt,
      DROP COLUMN charge_reference,
      DROP COLUMN payout_reference;
  `.execute(db);
}
