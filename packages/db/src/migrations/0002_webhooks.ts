import { type Kysely, sql } from 'kysely';

/**
 * Webhook outbox. A trigger on `events` enqueues one delivery per configured endpoint in the same
 * transaction as the change (so an event is delivered if and only if its change committed) and NOTIFYs the
 * worker at commit. The body is serialised here, once; every attempt sends and signs these exact bytes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE webhook_endpoints (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      url text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, mode)
    );

    CREATE TABLE webhook_secrets (
      id text PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      secret_sealed text NOT NULL,
      display_prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- null while current; set when rotated out (the end of its overlap window)
      expires_at timestamptz
    );
    CREATE INDEX webhook_secrets_owner ON webhook_secrets (partner_id, mode);

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      session_id text,
      payload text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempt_count integer NOT NULL DEFAULT 0,
      -- null: as many as the retry schedule allows; a replay sets exactly one more than those made
      attempt_limit integer,
      next_attempt_at timestamptz,
      -- a worker that claimed the delivery owns it until then; after a crash it is claimable again
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      delivered_at timestamptz
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_list ON webhook_deliveries (partner_id, mode, created_at DESC, id DESC);

    CREATE TABLE webhook_attempts (
      id bigserial PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id),
      attempted_at timestamptz NOT NULL DEFAULT now(),
      duration_ms integer NOT NULL,
      url text NOT NULL,
      status_code integer,
      error text,
      response_body text,
      trigger text NOT NULL CHECK (trigger IN ('automatic', 'replay'))
    );
    CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

    CREATE FUNCTION enqueue_gate_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO webhook_deliveries
        (id, event_id, event_type, partner_id, mode, session_id, payload, status, next_attempt_at)
      SELECT gen_random_uuid(), NEW.id, NEW.type, NEW.partner_id, NEW.mode, NEW.session_id,
        format('{"id":%s,"type":%s,"created_at":%s,"data":%s}',
          to_json(NEW.id::text), to_json(NEW.type),
          floor(extract(epoch FROM NEW.created_at))::bigint, NEW.data::text),
        'pending', now()
      FROM webhook_endpoints e
      WHERE e.partner_id = NEW.partner_id AND e.mode = NEW.mode;
      IF FOUND THEN
        PERFORM pg_notify('gate_webhooks', '');
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER events_enqueue_webhook AFTER INSERT ON events
      FOR EACH ROW EXECUTE FUNCTION enqueue_gate_webhook();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER events_enqueue_webhook ON events;
    DROP FUNCTION enqueue_gate_webhook();
    DROP TABLE webhook_attempts, webhook_deliveries, webhook_secrets, webhook_endpoints;
  `.execute(db);
}
