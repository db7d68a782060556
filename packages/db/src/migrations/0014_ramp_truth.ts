import { type Kysely, sql } from 'kysely';

/**
 * The ramp tells the truth about money (issue #15). Additive only, so an instance on the previous code
 * keeps working during a rollout:
 * - gate_sessions: when `kyc.required` was first emitted for the session (one event, not one per quote);
 *   whether the pre-filled wallet is locked; the destination allow-lists given at create.
 * - widget_intents: what the intent was priced at (rate, each fee, the swap rate) and the deposit's
 *   transaction, so `transaction_details` can say what was actually bought, for how much, and to where.
 * - partners: per-customer (user_reference) daily limits per currency, set by 0Bit admin.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE gate_sessions
      ADD COLUMN kyc_required_notified_at timestamptz,
      ADD COLUMN lock_wallet_address boolean NOT NULL DEFAULT false,
      ADD COLUMN destination_tokens jsonb,
      ADD COLUMN destination_networks jsonb;

    ALTER TABLE widget_intents
      ADD COLUMN rate text,
      ADD COLUMN processing_fee text,
      ADD COLUMN network_fee text,
      ADD COLUMN source_rate text,
      ADD COLUMN deposit_txid text;

    ALTER TABLE partners ADD COLUMN customer_daily_limits jsonb;

    CREATE INDEX gate_sessions_user_reference ON gate_sessions (partner_id, mode, user_reference, created_at)
      WHERE user_reference IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX gate_sessions_user_reference;
    ALTER TABLE partners DROP COLUMN customer_daily_limits;
    ALTER TABLE widget_intents
      DROP COLUMN rate,
      DROP COLUMN processing_fee,
      DROP COLUMN network_fee,
      DROP COLUMN source_rate,
      DROP COLUMN deposit_txid;
    ALTER TABLE gate_sessions
      DROP COLUMN kyc_required_notified_at,
      DROP COLUMN lock_wallet_address,
      DROP COLUMN destination_tokens,
      DROP COLUMN destination_networks;
  `.execute(db);
}
