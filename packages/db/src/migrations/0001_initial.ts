import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE partners (
      id text PRIMARY KEY,
      name text NOT NULL,
      allowed_domains jsonb NOT NULL DEFAULT '[]',
      kyc_trusted boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE api_keys (
      id text PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      kind text NOT NULL CHECK (kind IN ('publishable', 'secret')),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      key_hash text NOT NULL UNIQUE,
      display_prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX api_keys_partner ON api_keys (partner_id, mode);

    CREATE TABLE gate_sessions (
      id text PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      status text NOT NULL CHECK (status IN ('open', 'completed', 'expired', 'cancelled')),
      flow text CHECK (flow IN ('on_ramp', 'off_ramp', 'swap')),
      amount text NOT NULL,
      currency text NOT NULL,
      target_token text,
      target_network text,
      return_url text NOT NULL,
      cancel_url text,
      wallet_address text,
      user_reference text,
      kyc_pre_verified boolean NOT NULL DEFAULT false,
      kyc_package_sealed text,
      metadata json NOT NULL DEFAULT '{}',
      client_secret_hash text NOT NULL UNIQUE,
      tx_refid text,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz
    );
    CREATE INDEX gate_sessions_list ON gate_sessions (partner_id, mode, created_at DESC, id DESC);
    CREATE INDEX gate_sessions_due ON gate_sessions (expires_at) WHERE status = 'open';

    CREATE TABLE session_intents (
      id text PRIMARY KEY,
      session_id text NOT NULL REFERENCES gate_sessions(id),
      status text NOT NULL CHECK (status IN ('failed', 'succeeded')),
      failure_reason text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX session_intents_session ON session_intents (session_id);

    CREATE TABLE events (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL UNIQUE,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      type text NOT NULL,
      session_id text,
      data json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX events_list ON events (partner_id, mode, seq DESC);

    CREATE TABLE idempotency_keys (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      key text NOT NULL,
      fingerprint text NOT NULL,
      response_status integer,
      response_body_sealed text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, mode, key)
    );
    CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

    CREATE TABLE platform_settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE platform_settings, idempotency_keys, events, session_intents, gate_sessions, api_keys, partners;
  `.execute(db);
}
