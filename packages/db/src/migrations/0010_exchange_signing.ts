import { type Kysely, sql } from 'kysely';

/**
 * 0trace signature v2 and the audit log.
 *
 * - `exchange_settings`: per partner and mode (sandbox = test), whether body-only signatures are refused on
 *   every route ("v2 everywhere"). No row means the default, off: every existing partner keeps working as
 *   before, so there is nothing to migrate.
 * - `audit_log`: who changed what, shared by both products (0trace today, the Partner Hub later). `before`
 *   and `after` hold the changed settings, never a secret (the writer strips secret-named fields).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE exchange_settings (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      require_signature_v2 boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, mode)
    );

    CREATE TABLE audit_log (
      id uuid PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_kind text NOT NULL,
      actor_id text,
      partner_id text REFERENCES partners(id),
      mode text CHECK (mode IN ('test', 'live')),
      action text NOT NULL,
      target text,
      ip text,
      before jsonb,
      after jsonb
    );
    CREATE INDEX audit_log_partner ON audit_log (partner_id, at DESC, id DESC);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE audit_log, exchange_settings;`.execute(db);
}
