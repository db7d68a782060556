import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import { ensurePrivateDir, tightenTree } from './private-dir.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** `pglite` runs in this process (one connection); `postgres` is a real server shared by N processes. */
  kind: 'pglite' | 'postgres';
  /** The PGlite instance (pglite only): LISTEN/NOTIFY goes through it directly. */
  pglite?: PGlite;
  /** The connection URL (postgres only): for dedicated connections such as the worker's leader lock. */
  url?: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL. Without one, PGlite stores data in `dataDir` (or memory when dataDir is null). */
  databaseUrl?: string | undefined;
  dataDir?: string | null;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client that loses its server must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', url: options.databaseUrl, close: () => db.destroy() };
  }
  let pglite: PGlite;
  const dataDir = options.dataDir;
  if (dataDir) {
    ensurePrivateDir(dataDir);
    pglite = await PGlite.create(`${dataDir}/pgdata`);
    tightenTree(dataDir);
  } else {
    pglite = await PGlite.create();
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    pglite,
    close: async () => {
      await db.destroy();
      await pglite.close();
      if (dataDir) tightenTree(dataDir);
    },
  };
}

/** True when the database answers a trivial query within the timeout. */
export async function isDatabaseHealthy(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      sql`SELECT 1`.execute(db).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Serialise a value for a jsonb column; arrays would otherwise become PostgreSQL arrays in `pg`. */
export const jsonb = (value: unknown) => sql<string>`CAST(${JSON.stringify(value)} AS jsonb)`;

/** For a json column: keeps the text as sent (key order, as partners expect of "returned verbatim"). */
export const json = (value: unknown) => sql<string>`CAST(${JSON.stringify(value)} AS json)`;

/** Runs `fn` in the caller's transaction when there is one, else in a new one. */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/**
 * Keyset pagination, newest first: rows strictly after `cursor` in (created_at DESC, id DESC) order. A
 * row-value comparison, so PostgreSQL walks the (…, created_at DESC, id DESC) index.
 */
export const olderThan = (cursor: { created_at: Date; id: string }) =>
  sql<boolean>`(created_at, id) < (${cursor.created_at}, ${cursor.id})`;
