import { randomBytes } from 'node:crypto';
import { type OpenedDatabase, openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import pg from 'pg';

/**
 * A database of its own for one test file. On PGlite: in memory. With DATABASE_URL: a new database on that
 * server (dropped afterwards), so parallel files and parallel CI runs never see each other's rows.
 */
export interface TestDatabase extends OpenedDatabase {
  /** postgres:// URL of the fresh database, for spawning real server processes (PostgreSQL only). */
  url: string | undefined;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL!;
  const name = `gate_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
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

export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let opened: OpenedDatabase;
  let url: string | undefined;
  let drop = async () => {};
  if (usingPostgres()) {
    const created = await createTestDatabase();
    url = created.url;
    drop = created.drop;
    opened = await openDatabase({ databaseUrl: url, poolSize: 20 });
  } else {
    opened = await openDatabase({ dataDir: null });
  }
  if (options.migrate !== false) await migrateToLatest(opened.db);
  return {
    ...opened,
    url,
    close: async () => {
      await opened.close();
      await drop();
    },
  };
}
