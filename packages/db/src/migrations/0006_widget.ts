import { type Kysely, sql } from 'kysely';

/**
 * The hosted widget's own API (/v1/embed/…): a payment intent per attempt to pay for a session — a card
 * charge for a buy, a crypto deposit for a sell or a swap — and the simulated KYC result on the session.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE gate_sessions ADD COLUMN kyc_verified_at timestamptz;

    CREATE TABLE widget_intents (
      id text PRIMARY KEY,
      session_id text NOT NULL REFERENCES gate_sessions(id),
      flow text NOT NULL CHECK (flow IN ('on_ramp', 'off_ramp', 'swap')),
      status text NOT NULL CHECK (status IN ('requires_payment', 'requires_action', 'processing', 'succeeded', 'failed')),
      fiat_amount text NOT NULL,
      fiat_currency text NOT NULL,
      token text NOT NULL,
      network text NOT NULL,
      crypto_amount text NOT NULL,
      source_token text,
      source_network text,
      source_amount text,
      destination text NOT NULL,
      deposit_address text,
      failure_reason text,
      tx_refid text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX widget_intents_session ON widget_intents (session_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE widget_intents;
    ALTER TABLE gate_sessions DROP COLUMN kyc_verified_at;
  `.execute(db);
}
