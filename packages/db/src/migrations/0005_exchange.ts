import { type Kysely, sql } from 'kysely';

/**
 * The 0trace partner API, in the same database as 0Gate (one migration chain, so the two never race over
 * shared tables). Its webhooks reuse the 0Gate outbox and worker: endpoints, secrets and deliveries gain a
 * `source`, and a trigger on `exchange_events` enqueues deliveries exactly as the one on `events` does.
 * A 0trace partner is a row in `partners`, with credentials of its own per mode (sandbox = test).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE webhook_endpoints ADD COLUMN source text NOT NULL DEFAULT 'gate'
      CHECK (source IN ('gate', 'exchange'));
    ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_pkey;
    ALTER TABLE webhook_endpoints ADD PRIMARY KEY (partner_id, mode, source);

    ALTER TABLE webhook_secrets ADD COLUMN source text NOT NULL DEFAULT 'gate'
      CHECK (source IN ('gate', 'exchange'));
    DROP INDEX webhook_secrets_owner;
    CREATE INDEX webhook_secrets_owner ON webhook_secrets (partner_id, mode, source);

    ALTER TABLE webhook_deliveries ADD COLUMN source text NOT NULL DEFAULT 'gate'
      CHECK (source IN ('gate', 'exchange'));
    DROP INDEX webhook_deliveries_list;
    CREATE INDEX webhook_deliveries_list ON webhook_deliveries (partner_id, mode, source, created_at DESC, id DESC);

    CREATE OR REPLACE FUNCTION enqueue_gate_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO webhook_deliveries
        (id, event_id, event_type, partner_id, mode, session_id, payload, status, next_attempt_at)
      SELECT gen_random_uuid(), NEW.id, NEW.type, NEW.partner_id, NEW.mode, NEW.session_id,
        format('{"id":%s,"type":%s,"created_at":%s,"data":%s}',
          to_json(NEW.id::text), to_json(NEW.type),
          floor(extract(epoch FROM NEW.created_at))::bigint, NEW.data::text),
        'pending', now()
      FROM webhook_endpoints e
      WHERE e.partner_id = NEW.partner_id AND e.mode = NEW.mode AND e.source = 'gate';
      IF FOUND THEN
        PERFORM pg_notify('gate_webhooks', '');
      END IF;
      RETURN NULL;
    END $$;

    CREATE TABLE exchange_credentials (
      id text PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      api_key_hash text NOT NULL UNIQUE,
      display_prefix text NOT NULL,
      api_secret_sealed text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz
    );
    CREATE INDEX exchange_credentials_owner ON exchange_credentials (partner_id, mode);

    -- A nonce is refused when seen for the same credential within 24 h; rows older than that are swept.
    CREATE TABLE exchange_nonces (
      credential_id text NOT NULL,
      nonce text NOT NULL,
      seen_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (credential_id, nonce)
    );
    CREATE INDEX exchange_nonces_age ON exchange_nonces (seen_at);

    CREATE TABLE exchange_refcodes (
      partner_id text NOT NULL REFERENCES partners(id),
      code text NOT NULL,
      markup_bps integer NOT NULL CHECK (markup_bps BETWEEN 0 AND 500),
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, code)
    );
    CREATE UNIQUE INDEX exchange_refcodes_one_default ON exchange_refcodes (partner_id) WHERE is_default;

    CREATE TABLE exchange_quotes (
      id text PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      refcode text NOT NULL,
      from_ccy text NOT NULL,
      to_ccy text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('from', 'to')),
      amount text NOT NULL,
      from_amount text NOT NULL,
      to_amount text NOT NULL,
      rate text NOT NULL,
      markup_bps integer NOT NULL,
      service_fee_bps integer NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX exchange_quotes_match
      ON exchange_quotes (partner_id, mode, from_ccy, to_ccy, direction, amount, refcode, expires_at DESC);

    CREATE TABLE exchange_orders (
      id text PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      token_hash text NOT NULL,
      refcode text NOT NULL,
      type text NOT NULL CHECK (type IN ('float', 'fixed')),
      direction text NOT NULL CHECK (direction IN ('from', 'to')),
      from_ccy text NOT NULL,
      to_ccy text NOT NULL,
      from_amount text NOT NULL,
      to_amount text NOT NULL,
      rate text NOT NULL,
      markup_bps integer NOT NULL,
      service_fee_bps integer NOT NULL,
      rate_expires_at timestamptz,
      to_address text NOT NULL,
      refund_address text NOT NULL,
      deposit_address text NOT NULL,
      deposit_deadline timestamptz NOT NULL,
      status text NOT NULL
        CHECK (status IN ('NEW', 'PENDING', 'EXCHANGE', 'DONE', 'EXPIRED', 'EMERGENCY', 'REFUNDED')),
      deposit_tx text,
      deposit_amount text,
      deposit_confirmations integer,
      payout_tx text,
      payout_amount text,
      refund_tx text,
      refund_amount text,
      emergency_reason text,
      emergency_choice text CHECK (emergency_choice IN ('EXCHANGE', 'REFUND')),
      settle_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX exchange_orders_list ON exchange_orders (partner_id, mode, created_at DESC, id DESC);
    CREATE INDEX exchange_orders_settle ON exchange_orders (settle_at) WHERE settle_at IS NOT NULL;
    CREATE INDEX exchange_orders_deadline ON exchange_orders (deposit_deadline) WHERE status = 'NEW';

    CREATE TABLE exchange_idempotency (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      key text NOT NULL,
      request_hash text NOT NULL,
      order_id text NOT NULL,
      response_sealed text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, mode, key)
    );

    CREATE TABLE exchange_events (
      id uuid PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      order_id text NOT NULL,
      type text NOT NULL,
      data json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX exchange_events_order ON exchange_events (order_id, created_at);

    CREATE FUNCTION enqueue_exchange_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO webhook_deliveries
        (id, event_id, event_type, partner_id, mode, session_id, payload, status, next_attempt_at, source)
      SELECT gen_random_uuid(), NEW.id, NEW.type, NEW.partner_id, NEW.mode, NEW.order_id,
        format('{"id":%s,"type":%s,"createdAt":%s,"data":%s}',
          to_json(NEW.id::text), to_json(NEW.type),
          floor(extract(epoch FROM NEW.created_at))::bigint, NEW.data::text),
        'pending', now(), 'exchange'
      FROM webhook_endpoints e
      WHERE e.partner_id = NEW.partner_id AND e.mode = NEW.mode AND e.source = 'exchange';
      IF FOUND THEN
        PERFORM pg_notify('gate_webhooks', '');
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER exchange_events_enqueue_webhook AFTER INSERT ON exchange_events
      FOR EACH ROW EXECUTE FUNCTION enqueue_exchange_webhook();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER exchange_events_enqueue_webhook ON exchange_events;
    DROP FUNCTION enqueue_exchange_webhook();
    DROP TABLE exchange_events, exchange_idempotency, exchange_orders, exchange_quotes, exchange_refcodes,
      exchange_nonces, exchange_credentials;
    DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE source <> 'gate');
    DELETE FROM webhook_deliveries WHERE source <> 'gate';
    DELETE FROM webhook_secrets WHERE source <> 'gate';
    DELETE FROM webhook_endpoints WHERE source <> 'gate';
    ALTER TABLE webhook_deliveries DROP COLUMN source;
    ALTER TABLE webhook_secrets DROP COLUMN source;
    ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_pkey;
    ALTER TABLE webhook_endpoints DROP COLUMN source;
    ALTER TABLE webhook_endpoints ADD PRIMARY KEY (partner_id, mode);
  `.execute(db);
}
