import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from './migrations/0001_initial.ts';
import * as webhooks from './migrations/0002_webhooks.ts';
import * as embedBranding from './migrations/0003_embed_branding.ts';
import * as quotas from './migrations/0004_quotas.ts';
import * as exchange from './migrations/0005_exchange.ts';
import * as widget from './migrations/0006_widget.ts';
import * as moneyMovesOnce from './migrations/0007_money_moves_once.ts';
import * as modeSettings from './migrations/0008_mode_settings.ts';
import * as exchangePayouts from './migrations/0009_exchange_payouts.ts';
import * as exchangeSigning from './migrations/0010_exchange_signing.ts';
import * as oneCurrentSecret from './migrations/0012_one_current_secret.ts';
import * as oneIdempotency from './migrations/0013_one_idempotency.ts';
import * as rampTruth from './migrations/0014_ramp_truth.ts';
import * as deliveryTraceContext from './migrations/0020_delivery_trace_context.ts';
import * as openOrdersIndex from './migrations/0022_open_orders_index.ts';
import * as hubPeople from './migrations/0025_hub_people.ts';
import type { Database } from './schema.ts';

/** Migrations are listed in code (not read from disk) so a bundled or compiled server still finds them. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_webhooks': webhooks,
  '0003_embed_branding': embedBranding,
  '0004_quotas': quotas,
  '0005_exchange': exchange,
  '0006_widget': widget,
  '0007_money_moves_once': moneyMovesOnce,
  '0008_mode_settings': modeSettings,
  '0009_exchange_payouts': exchangePayouts,
  '0010_exchange_signing': exchangeSigning,
  '0012_one_current_secret': oneCurrentSecret,
  '0013_one_idempotency': oneIdempotency,
  '0014_ramp_truth': rampTruth,
  '0020_delivery_trace_context': deliveryTraceContext,
  '0022_open_orders_index': openOrdersIndex,
  '0025_hub_people': hubPeople,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Numbers are reserved per change and changes merge in any order, so a database may already hold a higher
 * number than one merged later (0010 before 0008): apply the missing one instead of refusing to start.
 */
const newMigrator = (db: Kysely<Database>) => new Migrator({ db, provider, allowUnorderedMigrations: true });

/**
 * Applies pending migrations. Kysely's migrator takes a PostgreSQL advisory lock first, so N instances
 * starting at once apply each migration exactly once and the others wait.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = newMigrator(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Migrates up or down to `name` (tests use it to hold data in an older schema, then migrate it). */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<string[]> {
  const migrator = newMigrator(db);
  const { error, results } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Migrations this code knows that the database has not applied (empty: the schema is current). A database
 * ahead of the code (a newer release migrated it: expand/contract) is current for this code.
 */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const known = await newMigrator(db).getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
