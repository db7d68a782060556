import type { Db, OpenedDatabase } from '@0bit/db/connection';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';

export const WEBHOOK_CHANNEL = 'gate_webhooks';
// One leader per database: a fixed advisory lock key ("0bit-webhooks" as int64).
const LEADER_LOCK = '3042651891220131';

/**
 * Decides whether this process may dispatch, and wakes it when deliveries are committed. Several workers
 * may run against one database; exactly one (the holder of a session-level advisory lock) dispatches.
 * When it dies its connection closes, PostgreSQL releases the lock, and a follower takes over within
 * `retryMs`. Claims use SKIP LOCKED too, so even a brief overlap cannot send a delivery twice at once.
 */
export interface Coordinator {
  /** Resolves once this process is the leader (again); rejects only when closed. */
  leadership(): Promise<void>;
  isLeader(): boolean;
  /** Called on every NOTIFY on the channel, with its payload ('' for "deliveries are due"). */
  onWake(listener: (payload: string) => void): void;
  close(): Promise<void>;
}

/** Where a coordinator says that it lost its connection (and with it the leader lock) and got it back. */
export interface CoordinatorLog {
  warn(obj: object, msg: string): void;
}

export function coordinatorFor(
  database: OpenedDatabase,
  options: { retryMs?: number; log?: CoordinatorLog } = {},
): Coordinator {
  if (database.pglite) return new PgliteCoordinator(database.pglite);
  if (database.url) return new PostgresCoordinator(database.url, options.retryMs ?? 1000, options.log);
  throw new Error('no way to coordinate webhook workers on this database');
}

/** PGlite lives in one process: that process is the leader. */
class PgliteCoordinator implements Coordinator {
  private readonly listeners: Array<(payload: string) => void> = [];
  private unlisten: Promise<() => Promise<void>>;

  constructor(pglite: PGlite) {
    this.unlisten = pglite.listen(WEBHOOK_CHANNEL, (payload) => {
      for (const l of this.listeners) l(payload ?? '');
    });
  }
  async leadership() {}
  isLeader() {
    return true;
  }
  onWake(listener: (payload: string) => void) {
    this.listeners.push(listener);
  }
  async close() {
    await (await this.unlisten)();
  }
}

class PostgresCoordinator implements Coordinator {
  private client: pg.Client | null = null;
  private leader = false;
  private closed = false;
  private readonly listeners: Array<(payload: string) => void> = [];
  private waiters: Array<() => void> = [];
  private loop: Promise<void>;
  /** Set when a held lock was lost (PostgreSQL restarted, network cut): the next acquisition is logged. */
  private lostLock = false;

  constructor(
    private readonly url: string,
    private readonly retryMs: number,
    private readonly log?: CoordinatorLog,
  ) {
    this.loop = this.campaign();
  }

  private wake = (message?: { payload?: string }) => {
    for (const l of this.listeners) l(message?.payload ?? '');
  };

  private async campaign(): Promise<void> {
    while (!this.closed) {
      try {
        if (!this.client) {
          const client = new pg.Client({ connectionString: this.url });
          client.on('error', () => this.lose(client));
          client.on('end', () => this.lose(client));
          client.on('notification', this.wake);
          await client.connect();
          await client.query(`LISTEN ${WEBHOOK_CHANNEL}`);
          this.client = client;
        }
        if (!this.leader) {
          const result = await this.client.query<{ locked: boolean }>(
            `SELECT pg_try_advisory_lock(${LEADER_LOCK}) AS locked`,
          );
          if (result.rows[0]?.locked) {
            this.leader = true;
            if (this.lostLock) {
              this.lostLock = false;
              // warn, like the loss it ends: an operator filtering warnings sees the outage close.
              this.log?.warn(
                {},
                'webhook coordinator: leader lock and LISTEN re-taken after a lost connection',
              );
            }
            for (const w of this.waiters.splice(0)) w();
            this.wake();
          }
        }
      } catch {
        if (this.client) this.lose(this.client);
      }
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  private lose(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    if (this.leader && !this.closed) {
      this.lostLock = true;
      this.log?.warn(
        {},
        'webhook coordinator: lost its PostgreSQL connection and the leader lock; reconnecting',
      );
    }
    this.leader = false;
    client.end().catch(() => {});
  }

  leadership(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('coordinator closed'));
    if (this.leader) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  isLeader() {
    return this.leader;
  }

  onWake(listener: (payload: string) => void) {
    this.listeners.push(listener);
  }

  async close() {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.leader = false;
    await client?.end().catch(() => {});
    await this.loop;
  }
}

/**
 * Whether some process holds the webhook leader lock on this PostgreSQL (any process's session, this one's
 * included): what `/health/ready` reports as `leader`. PGlite has no other process: the caller knows
 * whether its own worker runs.
 */
export async function leaderLockHeld(db: Db): Promise<boolean> {
  // An advisory lock on one bigint key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits);
  // pg_locks lists the whole server, and advisory locks belong to one database: this one's only.
  const result = await sql<{ held: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 1
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((classid::bigint << 32) | objid::bigint) = ${LEADER_LOCK}::bigint
    ) AS held`.execute(db);
  return result.rows[0]?.held === true;
}
