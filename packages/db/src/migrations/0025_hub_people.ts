import { type Kysely, sql } from 'kysely';

/**
 * The Partner Hub's people (docs/hub.md):
 * - `hub_users`: a person who signs in to the console, belonging to one partner with a role. The password is
 *   an argon2id hash (null until the invitation is accepted). Emails are stored lower-case, unique platform-wide.
 * - `hub_invitations`: a one-time link (only the SHA-256 of its token is stored) that sets the password.
 * - `hub_sessions`: server-side sessions (the cookie holds a random id; only its SHA-256 is stored), revocable
 *   one by one or all at once, each with its CSRF synchronizer token.
 * - `hub_outbox`: mail the Hub sent (or, without SMTP_URL, only wrote here for the console to show).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE hub_users (
      id text PRIMARY KEY,
      partner_id text NOT NULL REFERENCES partners(id),
      email text NOT NULL UNIQUE CHECK (email = lower(email)),
      role text NOT NULL CHECK (role IN ('owner', 'developer', 'viewer')),
      password_hash text,
      created_at timestamptz NOT NULL DEFAULT now(),
      removed_at timestamptz
    );
    CREATE INDEX hub_users_partner ON hub_users (partner_id);

    CREATE TABLE hub_invitations (
      token_hash text PRIMARY KEY,
      user_id text NOT NULL REFERENCES hub_users(id),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE hub_sessions (
      id_hash text PRIMARY KEY,
      user_id text NOT NULL REFERENCES hub_users(id),
      csrf_token text NOT NULL,
      ip text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz
    );
    CREATE INDEX hub_sessions_user ON hub_sessions (user_id);

    CREATE TABLE hub_outbox (
      id text PRIMARY KEY,
      partner_id text REFERENCES partners(id),
      recipient text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      sent boolean NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE hub_outbox; DROP TABLE hub_sessions; DROP TABLE hub_invitations; DROP TABLE hub_users;`.execute(
    db,
  );
}
