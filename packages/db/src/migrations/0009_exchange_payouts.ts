import { type Kysely, sql } from 'kysely';

/**
 * 0trace money moves once (docs/exchange/statuses.md, "Payouts and refunds"):
 * - `exchange_payouts`: every payout and refund is claimed here, in the transaction that takes the order's
 *   due settlement (settle_at → NULL), before the chain is called. The reference is the chain's idempotency
 *   key; a row left `sending` by a crash is resolved by the settlement loop's recovery pass.
 * - Fixed quotes are single-use: the order that used one is recorded on it.
 * - Reference codes belong to one mode. Until now one set served both, so each existing code is kept in
 *   both modes (the same markup and default), and from now on each mode changes only its own copy.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE exchange_payouts (
      reference text PRIMARY KEY,
      order_id text NOT NULL REFERENCES exchange_orders(id),
      kind text NOT NULL CHECK (kind IN ('payout', 'refund')),
      mode text NOT NULL CHECK (mode IN ('test', 'live')),
      currency text NOT NULL,
      to_address text NOT NULL,
      amount text NOT NULL,
      state text NOT NULL CHECK (state IN ('sending', 'sent')),
      tx text,
      attempts integer NOT NULL DEFAULT 1,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      UNIQUE (order_id, kind)
    );
    CREATE INDEX exchange_payouts_in_flight ON exchange_payouts (claimed_at) WHERE state = 'sending';

    ALTER TABLE exchange_quotes ADD COLUMN used_by text;
    ALTER TABLE exchange_quotes ADD COLUMN used_at timestamptz;

    ALTER TABLE exchange_refcodes ADD COLUMN mode text NOT NULL DEFAULT 'test' CHECK (mode IN ('test', 'live'));
    ALTER TABLE exchange_refcodes DROP CONSTRAINT exchange_refcodes_pkey;
    DROP INDEX exchange_refcodes_one_default;
    INSERT INTO exchange_refcodes (partner_id, mode, code, markup_bps, is_default, created_at)
      SELECT partner_id, 'live', code, markup_bps, is_default, created_at FROM exchange_refcodes;
    ALTER TABLE exchange_refcodes ALTER COLUMN mode DROP DEFAULT;
    ALTER TABLE exchange_refcodes ADD PRIMARY KEY (partner_id, mode, code);
    CREATE UNIQUE INDEX exchange_refcodes_one_default ON exchange_refcodes (partner_id, mode) WHERE is_default;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX exchange_refcodes_one_default;
    ALTER TABLE exchange_refcodes DROP CONSTRAINT exchange_refcodes_pkey;
    DELETE FROM exchange_refcodes WHERE mode = 'live';
    ALTER TABLE exchange_refcodes DROP COLUMN mode;
    ALTER TABLE exchange_refcodes ADD PRIMARY KEY (partner_id, code);
    CREATE UNIQUE INDEX exchange_refcodes_one_default ON exchange_refcodes (partner_id) WHERE is_default;
    ALTER TABLE exchange_quotes DROP COLUMN used_at;
    ALTER TABLE exchange_quotes DROP COLUMN used_by;
    DROP TABLE exchange_payouts;
  `.execute(db);
}
