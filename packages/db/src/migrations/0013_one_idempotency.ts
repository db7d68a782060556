import { type Kysely, sql } from 'kysely';

/**
 * One idempotency semantics for both products (docs/idempotency.md): 0trace now stores the status of the
 * answer (4xx answers too, which have no order), and its keys are swept after 24 h like 0Gate's. Additive
 * only, so an instance still on the previous code keeps inserting rows during a rollout (they get 200,
 * which is what that code stored: successes only). A row without an answer is a key being processed, as in
 * 0Gate's table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE exchange_idempotency ADD COLUMN response_status integer DEFAULT 200;
    ALTER TABLE exchange_idempotency ALTER COLUMN order_id DROP NOT NULL;
    ALTER TABLE exchange_idempotency ALTER COLUMN response_sealed DROP NOT NULL;
    CREATE INDEX exchange_idempotency_age ON exchange_idempotency (created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM exchange_idempotency WHERE order_id IS NULL OR response_sealed IS NULL;
    DROP INDEX exchange_idempotency_age;
    ALTER TABLE exchange_idempotency ALTER COLUMN order_id SET NOT NULL;
    ALTER TABLE exchange_idempotency ALTER COLUMN response_sealed SET NOT NULL;
    ALTER TABLE exchange_idempotency DROP COLUMN response_status;
  `.execute(db);
}
