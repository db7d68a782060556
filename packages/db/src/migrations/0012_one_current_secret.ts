import { type Kysely, sql } from 'kysely';

/**
 * One current (never-expiring) 0trace apiKey pair per partner and mode, and one current webhook secret per
 * partner, mode and product. Concurrent rotations on PostgreSQL could leave several rows with
 * `expires_at IS NULL` for good; the code now serialises them (scope-lock.ts), and these indexes make the
 * database refuse a second current row whatever the code does.
 *
 * Existing extras are retired first, never deleted: the newest row stays current, the others get the
 * default overlap (24 h) from now, as if rotated out by the newest, so a partner still using one of them
 * keeps working while it switches (both products' rotation answers said the newest one is current).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE exchange_credentials AS c SET expires_at = now() + interval '24 hours'
      WHERE c.expires_at IS NULL AND EXISTS (
        SELECT 1 FROM exchange_credentials AS n
          WHERE n.partner_id = c.partner_id AND n.mode = c.mode AND n.expires_at IS NULL
            AND (n.created_at, n.id) > (c.created_at, c.id));
    CREATE UNIQUE INDEX exchange_credentials_one_current ON exchange_credentials (partner_id, mode)
      WHERE expires_at IS NULL;

    UPDATE webhook_secrets AS s SET expires_at = now() + interval '24 hours'
      WHERE s.expires_at IS NULL AND EXISTS (
        SELECT 1 FROM webhook_secrets AS n
          WHERE n.partner_id = s.partner_id AND n.mode = s.mode AND n.source = s.source
            AND n.expires_at IS NULL AND (n.created_at, n.id) > (s.created_at, s.id));
    CREATE UNIQUE INDEX webhook_secrets_one_current ON webhook_secrets (partner_id, mode, source)
      WHERE expires_at IS NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX webhook_secrets_one_current; DROP INDEX exchange_credentials_one_current;`.execute(db);
}
