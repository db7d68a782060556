import { Redis } from 'ioredis';

/** The part of a logger that fallbacks use: one warning when a dependency goes, one when it is back. */
export interface TransitionLog {
  warn(obj: object, msg: string): void;
}

/**
 * Remembers whether a dependency is up and logs only the changes: an outage is one line, not one per request.
 */
export class Transitions {
  private down = false;
  private log: TransitionLog | null = null;

  constructor(
    private readonly downMessage: string,
    private readonly upMessage: string,
  ) {}

  reportTo(log: TransitionLog): void {
    this.log = log;
  }

  failed(err?: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log?.warn({ err: err instanceof Error ? { message: err.message } : undefined }, this.downMessage);
  }

  succeeded(): void {
    if (!this.down) return;
    this.down = false;
    this.log?.warn({}, this.upMessage);
  }
}

/**
 * An ioredis client shared by the Redis-backed stores (rate-limit counters, 0trace nonces). Commands queue
 * while (re)connecting, but none waits longer than commandTimeout, so an outage makes a call fail fast and the
 * caller falls back (per-process counters, database nonces). Connection errors surface on calls; the client
 * reconnects by itself.
 */
export class RedisLink<R extends Redis = Redis> {
  readonly redis: R;
  private connectedOnce = false;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 2000 }) as R;
    this.redis.on('error', () => {});
    this.redis.once('ready', () => {
      this.connectedOnce = true;
    });
  }

  /**
   * Worth sending a command to: connected, or still making its first connection (commands queue for it).
   * After a connection was lost, a command would only wait for its timeout while the client reconnects.
   */
  get ready(): boolean {
    return this.redis.status === 'ready' || !this.connectedOnce;
  }

  async check(): Promise<'ok' | 'down'> {
    try {
      return (await this.redis.ping()) === 'PONG' ? 'ok' : 'down';
    } catch {
      return 'down';
    }
  }
}
