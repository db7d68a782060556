import { type Kysely, sql } from 'kysely';

/**
 * "Modes own their settings": allowed domains were one list per partner, so a test key could add an origin
 * that live bootstrap then accepted. They become one list per partner and mode. Every partner keeps its
 * configuration: the shared list is copied into both modes. (Branding and the webhook endpoint were already
 * per mode since 0002/0003.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE partner_allowed_domains (
      partner_id text NOT NULL REFERENCES partners(id),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      allowed_domains jsonb NOT NULL DEFAULT '[]',
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, mode)
    );
    INSERT INTO partner_allowed_domains (partner_id, mode, allowed_domains)
      SELECT p.id, m.mode, p.allowed_domains
      FROM partners p CROSS JOIN (VALUES ('test'), ('live')) AS m(mode);
    -- CORS preflights carry no key: "is this origin registered by anyone?" stays an index lookup.
    CREATE INDEX partner_allowed_domains_origins ON partner_allowed_domains USING gin (allowed_domains jsonb_path_ops);
    DROP INDEX partners_allowed_domains;
    ALTER TABLE partners DROP COLUMN allowed_domains;
  `.execute(db);
}

/** Back to one list per partner: the live list, so going down never widens what live accepts. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE partners ADD COLUMN allowed_domains jsonb NOT NULL DEFAULT '[]';
    UPDATE partners p SET allowed_domains = d.allowed_domains
      FROM partner_allowed_domains d WHERE d.partner_id = p.id AND d.mode = 'live';
    CREATE INDEX partners_allowed_domains ON partners USING gin (allowed_domains jsonb_path_ops);
    DROP TABLE partner_allowed_domains;
  `.execute(db);
}
