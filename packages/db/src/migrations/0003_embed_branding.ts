import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE partner_branding (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      logo_url text,
      primary_color text,
      secondary_color text,
      accent_color text,
      brand_name text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, mode)
    );
    -- CORS preflights carry no key: "is this origin registered by anyone?" must be an index lookup.
    CREATE INDEX partners_allowed_domains ON partners USING gin (allowed_domains jsonb_path_ops);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX partners_allowed_domains; DROP TABLE partner_branding;`.execute(db);
}
