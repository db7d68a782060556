/**
 * Kysely row types generated from a migrated database, so the types cannot drift from the migrations:
 * `npm run db:types` migrates a fresh database (an in-memory PGlite, or a new database on DATABASE_URL's
 * server), reads its catalogue and rewrites src/generated/rows.ts; test/row-types.test.ts fails when the
 * committed file differs from what the migrations produce.
 *
 * The catalogue gives names, types, nullability and defaults; `CHECK (col IN (...))` constraints give the
 * narrow string-literal types (status, mode, ...). The two things a catalogue cannot say are configured
 * below: which literal sets are named platform types (Mode, Flow), and what a JSON column holds.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';

export const GENERATED_PATH = fileURLToPath(new URL('../src/generated/rows.ts', import.meta.url));

/** A literal set that the platform names once: the generated column uses the import, not a restated union. */
const NAMED_UNIONS: { values: string[]; name: string; from: string }[] = [
  { values: ['test', 'live'], name: 'Mode', from: '@0bit/core/scope' },
  { values: ['on_ramp', 'off_ramp', 'swap'], name: 'Flow', from: '@0bit/core/flow' },
];

/** JSON columns: what the code stores there (written as a JSON string, read parsed). */
const JSON_COLUMNS: Record<string, string> = {
  'gate_sessions.metadata': 'Json<Record<string, string>>',
  'gate_sessions.destination_tokens': 'Json<string[]>',
  'gate_sessions.destination_networks': 'Json<string[]>',
  'partners.customer_daily_limits': 'Json<Record<string, string>>',
  'events.data': 'Json<Record<string, unknown>>',
  'platform_settings.value': 'Json<unknown>',
  'partner_allowed_domains.allowed_domains': 'Json<string[]>',
  'exchange_events.data': 'Json<unknown>',
  'audit_log.before': 'Json<Record<string, unknown>>',
  'audit_log.after': 'Json<Record<string, unknown>>',
};

/** Why a column is there, where its name does not say (emitted as the column's doc comment). */
const NOTES: Record<string, string> = {
  'api_keys.revoked_at':
    'When the key stops working; in the future while a rolled key is still in its grace period.',
  'gate_sessions.kyc_package_sealed': 'Sealed by SecretBox; never returned by any API.',
  'gate_sessions.kyc_verified_at': "When the widget's (simulated) KYC verified the user of this session.",
  'idempotency_keys.response_body_sealed': "Sealed: a replayed create carries the session's client_secret.",
  'webhook_secrets.secret_sealed':
    'Sealed by SecretBox: the secret must be used to sign, so it cannot be only hashed.',
  'webhook_deliveries.session_id': 'The 0Gate session, or the 0trace order, the event is about.',
  'exchange_credentials.api_key_hash': 'SHA-256 of the apiKey: the lookup; the raw key is shown once.',
  'exchange_credentials.api_secret_sealed':
    "Sealed by SecretBox: the apiSecret verifies every request's HMAC, so it cannot be only hashed.",
  'exchange_credentials.expires_at': 'Null while current; the end of the overlap window once rotated.',
  'exchange_refcodes.mode':
    'A code belongs to one mode: sandbox credentials never change (or use) what live prices with.',
  'exchange_quotes.used_by':
    'The one order this fixed quote backs (a quote is single-use); null while unused.',
  'exchange_payouts.reference': "`payout:<orderId>` / `refund:<orderId>`: the chain's idempotency key.",
  'exchange_payouts.claimed_at':
    'When an actor last took responsibility for calling the chain; recovery waits a grace period after it.',
  'audit_log.before': 'Never holds a secret (nor does `after`).',
  'widget_intents.destination': "The user's wallet (buy, swap) or IBAN (sell).",
  'widget_intents.phase':
    'While `processing`: the money step claimed (the provider may have acted on it; recovery asks).',
  'widget_intents.attempt': "Confirms so far; the card charge's idempotency key is `<id>:charge:<attempt>`.",
};

/** PostgreSQL type (udt_name) to what node-postgres and PGlite return for it. */
const SCALARS: Record<string, string> = {
  text: 'string',
  varchar: 'string',
  uuid: 'string',
  bool: 'boolean',
  int2: 'number',
  int4: 'number',
  float8: 'number',
  // 64-bit integers and numerics come back as strings (no precision is lost).
  int8: 'string',
  numeric: 'string',
  timestamptz: 'Timestamp',
};

interface ColumnRow {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: string;
  column_default: string | null;
  is_identity: string;
}

const pascal = (name: string) =>
  name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** `CHECK ((mode = ANY (ARRAY['test'::text, 'live'::text])))` → mode: ['test', 'live']. */
function literalSet(definition: string): { column: string; values: string[] } | null {
  const match = /^CHECK \(\(\(?(\w+)\)? = ANY \(+ARRAY\[(.*)\]\)+$/.exec(definition);
  if (!match) return null;
  const values = [...match[2]!.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1]!.replaceAll("''", "'"));
  return values.length > 0 ? { column: match[1]!, values } : null;
}

const HEADER = `/**
 * Generated from the migrated database by \`npm run db:types\` (packages/db/scripts/row-types.ts); do not
 * edit by hand. packages/db/test/row-types.test.ts fails when this file and the migrations disagree.
 */
`;

/** TypeScript source for the tables of a migrated database (Kysely's own bookkeeping tables aside). */
export async function rowTypesFor(db: Kysely<unknown>): Promise<string> {
  const columns = (
    await sql<ColumnRow>`
      SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable, c.column_default, c.is_identity
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'kysely\\_%'
      ORDER BY c.table_name, c.ordinal_position`.execute(db)
  ).rows;
  const checks = (
    await sql<{ table_name: string; definition: string }>`
      SELECT rel.relname AS table_name, pg_get_constraintdef(con.oid) AS definition
      FROM pg_constraint con
      JOIN pg_class rel ON rel.oid = con.conrelid
      JOIN pg_namespace ns ON ns.oid = rel.relnamespace
      WHERE ns.nspname = 'public' AND con.contype = 'c'`.execute(db)
  ).rows;

  const literals = new Map<string, string[]>();
  for (const check of checks) {
    const set = literalSet(check.definition);
    if (set) literals.set(`${check.table_name}.${set.column}`, set.values);
  }

  const imports = new Set<string>();
  const typeOf = (column: ColumnRow): string => {
    const key = `${column.table_name}.${column.column_name}`;
    const values = literals.get(key);
    if (values) {
      const named = NAMED_UNIONS.find(
        (u) => u.values.length === values.length && u.values.every((v) => values.includes(v)),
      );
      if (named) {
        imports.add(`import type { ${named.name} } from '${named.from}';`);
        return named.name;
      }
      return values.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(' | ');
    }
    if (column.udt_name === 'json' || column.udt_name === 'jsonb')
      return JSON_COLUMNS[key] ?? 'Json<unknown>';
    const scalar = SCALARS[column.udt_name];
    if (!scalar) throw new Error(`row-types: no TypeScript type for ${key} (${column.udt_name})`);
    return scalar;
  };

  const tables = new Map<string, string[]>();
  for (const column of columns) {
    let type = typeOf(column);
    if (column.is_nullable === 'YES') type = `${type} | null`;
    if (column.column_default !== null || column.is_identity === 'YES') type = `Generated<${type}>`;
    const note = NOTES[`${column.table_name}.${column.column_name}`];
    const lines = tables.get(column.table_name) ?? [];
    if (note) lines.push(`  /** ${note} */`);
    lines.push(`  ${column.column_name}: ${type};`);
    tables.set(column.table_name, lines);
  }

  const names = [...tables.keys()];
  const body = [
    "import type { ColumnType } from 'kysely';",
    ...[...imports].sort(),
    '',
    '/** timestamptz: read as a Date, written as a Date or an ISO string. */',
    'export type Timestamp = ColumnType<Date, Date | string, Date | string>;',
    "/** Has a database default, so an insert may omit it (unlike Kysely's own, it also wraps a ColumnType). */",
    'export type Generated<T> =',
    '  T extends ColumnType<infer S, infer I, infer U> ? ColumnType<S, I | undefined, U> : ColumnType<T, T | undefined, T>;',
    '/** json/jsonb: read parsed, written as a JSON string. */',
    'export type Json<T> = ColumnType<T, string, string>;',
    '',
    ...names.flatMap((name) => [`export interface ${pascal(name)}Table {`, ...tables.get(name)!, '}', '']),
    'export interface Database {',
    ...names.map((name) => `  ${name}: ${pascal(name)}Table;`),
    '}',
    '',
  ];
  return HEADER + body.join('\n');
}

/** A freshly migrated database: a new one on DATABASE_URL's server, else an in-memory PGlite. */
async function migratedDatabase(): Promise<{ db: Kysely<unknown>; close: () => Promise<void> }> {
  const { freshDatabase } = await import('@0bit/testing/database');
  const database = await freshDatabase();
  return { db: database.db as unknown as Kysely<unknown>, close: database.close };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { db, close } = await migratedDatabase();
  try {
    writeFileSync(GENERATED_PATH, await rowTypesFor(db));
    console.log(`wrote ${GENERATED_PATH}`);
  } finally {
    await close();
  }
}
