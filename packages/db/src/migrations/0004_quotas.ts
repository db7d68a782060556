import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE partner_quotas (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      monthly_sessions integer NOT NULL CHECK (monthly_sessions > 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, mode)
    );
    -- One row per partner, mode and UTC month. Incremented in each create's transaction: its row lock
    -- serialises a partner's concurrent creates, so every count (and so every threshold) is reached once.
    CREATE TABLE partner_usage (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      period text NOT NULL,
      sessions_created integer NOT NULL DEFAULT 0,
      warned_at timestamptz,
      exhausted_at timestamptz,
      PRIMARY KEY (partner_id, mode, period)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE partner_usage, partner_quotas;`.execute(db);
}
