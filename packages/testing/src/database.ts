import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type OpenedDatabase, openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * A database of its own for one test file. On PGlite: in memory. With DATABASE_URL: a new database on that
 * server (dropped afterwards), so parallel files and parallel CI runs never see each other's rows.
 */
export interface TestDatabase extends OpenedDatabase {
  /** postgres:// URL of the fresh database, for spawning real server processes (PostgreSQL only). */
  url: string | undefined;
}

/** What packages/testing/src/global-setup.ts migrated once for this run (docs/testing.md). */
export type MigratedOnce =
  | { kind: 'postgres'; template: string }
  | { kind: 'pglite'; blank: string; migrated: string };

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: MigratedOnce;
  }
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A new, empty database on the DATABASE_URL server, or a copy of `template` (CREATE DATABASE … TEMPLATE,
 * a file-level copy: no migration runs). `drop()` removes it even while connections are open.
 */
export async function createTestDatabase(
  options: { template?: string; prefix?: string } = {},
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL!;
  const name = `${options.prefix ?? 'gate_test'}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export const usingPostgres = (): boolean => Boolean(process.env.DATABASE_URL);

/**
 * The run's migrated-once database, or null when there is none: outside vitest (bench scripts), or under a
 * config without the globalSetup, or when it was made for the other database kind.
 */
function migratedOnce(): MigratedOnce | null {
  let provided: MigratedOnce | undefined;
  try {
    provided = inject('testDatabase');
  } catch {
    return null;
  }
  if (!provided || provided.kind !== (usingPostgres() ? 'postgres' : 'pglite')) return null;
  return provided;
}

/**
 * A database for one test file, migrated to the latest schema unless `migrate: false` (tests of the
 * migrations themselves, which then migrate step by step). Cloned from the run's migrated-once copy when
 * there is one, else built and migrated here.
 */
export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate !== false;
  const once = migratedOnce();
  let opened: OpenedDatabase;
  let url: string | undefined;
  let drop = async () => {};
  let migrated = false;
  if (usingPostgres()) {
    // An empty database is already a cheap copy of template1; only the migrated one gains from a template.
    const template = migrate && once?.kind === 'postgres' ? once.template : undefined;
    const created = await createTestDatabase(template ? { template } : {});
    migrated = Boolean(template);
    url = created.url;
    drop = created.drop;
    opened = await openDatabase({ databaseUrl: url, poolSize: 20 });
  } else if (once?.kind === 'pglite') {
    const dump = readFileSync(migrate ? once.migrated : once.blank);
    opened = await openDatabase({ dataDir: null, loadDataDir: new Blob([dump]) });
    migrated = migrate;
  } else {
    opened = await openDatabase({ dataDir: null });
  }
  if (migrate && !migrated) await migrateToLatest(opened.db);
  return {
    ...opened,
    url,
    close: async () => {
      await opened.close();
      await drop();
    },
  };
}
