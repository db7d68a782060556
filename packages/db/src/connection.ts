import { ensurePrivateDir, tightenTree } from '@0bit/core/private-dir';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
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
  /** The pool's connections right now (postgres only): for the pool gauges of the metrics. */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL. Without one, PGlite stores data in `dataDir` (or memory when dataDir is null). */
  databaseUrl?: string | undefined;
  dataDir?: string | null;
  /**
   * PGlite in memory only: start from this data-directory dump (`dumpDataDir`) instead of running initdb,
   * which takes seconds; tests clone a database migrated once per run this way.
   */
  loadDataDir?: Blob;
  poolSize?: number;
  /**
   * PostgreSQL: prepare the hot statements (preparedStatement) once per connection; default true. Off for a
   * pooler in transaction mode that does not track prepared statements (PgBouncer before 1.21).
   */
  preparedStatements?: boolean;
  /** How long a request waits for a pooled connection before failing (ms). */
  connectTimeoutMs?: number;
  /** Told of every query's duration and whether it failed (the metrics' query latency histogram). */
  onQuery?: (seconds: number, failed: boolean) => void;
}

/** Kysely's `log` option reporting each query's duration to `onQuery`. */
const queryLog = (onQuery: DatabaseOptions['onQuery']) =>
  onQuery
    ? {
        log: (event: LogEvent) => onQuery(event.queryDurationMillis / 1000, event.level === 'error'),
      }
    : {};

export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // A server that accepts no connection (blackholed, overloaded) fails the request instead of hanging it.
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    // An idle client that loses its server must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    // Nor may a checked-out one: pg-pool listens only while a client is idle, and a client between two
    // queries of a transaction that receives 57P01 (server restart) emits 'error' with no listener, which
    // ends the process. The query in flight, or the next one on that client, fails and becomes a 503.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      if (options.preparedStatements !== false) usePreparedStatements(client);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...queryLog(options.onQuery) });
    return {
      db,
      kind: 'postgres',
      url: options.databaseUrl,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => db.destroy(),
    };
  }
  let pglite: PGlite;
  const dataDir = options.dataDir;
  if (dataDir) {
    ensurePrivateDir(dataDir);
    pglite = await PGlite.create(`${dataDir}/pgdata`);
    tightenTree(dataDir);
  } else {
    pglite = await PGlite.create(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), ...queryLog(options.onQuery) });
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

/** Hot statements by their exact text → the name they are prepared under on each PostgreSQL connection. */
const PREPARED = new Map<string, string>();

/**
 * Marks a statement text as hot: on PostgreSQL every connection prepares it once (a named statement) and then
 * only binds and executes it, skipping parse and plan. Run it with `db.executeQuery(CompiledQuery.raw(text,
 * parameters))`. PGlite runs in this process and has no such cost to skip.
 */
export function preparedStatement(name: string, text: string): string {
  PREPARED.set(text, name);
  return text;
}

function usePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  /** Bumped when the schema changed under a prepared statement: the next uses prepare it anew. */
  let generation = 0;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length === 2 ? PREPARED.get(text) : undefined;
    if (!name || !Array.isArray(values)) return query(...args);
    const used = generation;
    return query({ name: `${name}_${used}`, text, values }).catch((error: { code?: string }) => {
      // "cached plan must not change result type" (a migration since it was prepared): prepare it again.
      if (error.code !== '0A000') throw error;
      if (generation === used) generation++;
      return query(text, values);
    });
  }) as typeof client.query;
}

/** SQLSTATEs of a server that is going away, restarting, or refusing connections for now. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53000']);
const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|Connection ended/i;

/**
 * True when an error means "the database cannot be reached right now" rather than "this query is wrong":
 * a refused or dropped connection, a server shutting down or starting up (57P01/57P03), SQLSTATE class 08.
 * Such a request is worth retrying; the HTTP layer answers 503, not 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NETWORK_CODES.has(code) || code.startsWith('08'))
      return true;
  }
  // AggregateError (a connect that failed on IPv4 and IPv6) carries the network codes in `errors`.
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.some(isDatabaseUnavailable)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
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
