import { RedisLink, type TransitionLog, Transitions } from '@0bit/db/redis';
import type { Redis } from 'ioredis';

/**
 * Fixed-window counters for rate limits. In memory for one process; in Redis when several instances must
 * enforce one limit together. `hit` counts one request and says how many the window has seen so far.
 */
export interface WindowCounter {
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  close(): Promise<void>;
  /** Whether the shared store answers right now; absent on a per-process counter (nothing to be down). */
  check?(): Promise<'ok' | 'down'>;
  /** Where to announce a switch between the shared store and its fallback. */
  reportTo?(log: TransitionLog): void;
}

export class MemoryCounter implements WindowCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper = setInterval(() => {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }, 60_000).unref();

  async hit(key: string, windowMs: number) {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetMs: window.resetAt - now };
  }

  async close() {
    clearInterval(this.sweeper);
  }
}

// INCR and set the expiry on the first hit, atomically; returns the count and the window's time left.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }`;

export class RedisCounter implements WindowCounter {
  private readonly link: RedisLink;
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    // A Redis outage makes hit() fail fast, and the limiter then falls back (see FallbackCounter).
    this.link = new RedisLink(url);
    this.redis = this.link.redis;
  }

  get ready(): boolean {
    return this.link.ready;
  }

  check(): Promise<'ok' | 'down'> {
    return this.link.check();
  }

  async hit(key: string, windowMs: number) {
    const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, `${this.prefix}rl:${key}`, windowMs)) as [
      number,
      number,
    ];
    return { count, resetMs: ttl };
  }

  async close() {
    this.redis.disconnect();
  }
}

/**
 * Limits shared through Redis, and per-process limits in memory while Redis is unreachable: an outage
 * neither takes the API down nor lifts every limit. With N instances a key may then make up to N times its
 * limit. The switch is logged once each way.
 */
export class FallbackCounter implements WindowCounter {
  private readonly transitions = new Transitions(
    'Redis is unavailable: rate limits are counted per process (in memory) until it is back',
    'Redis is back: rate limits are shared by all instances again',
  );

  constructor(
    private readonly shared: RedisCounter,
    private readonly local: WindowCounter = new MemoryCounter(),
  ) {}

  async hit(key: string, windowMs: number) {
    if (this.shared.ready) {
      try {
        const result = await this.shared.hit(key, windowMs);
        this.transitions.succeeded();
        return result;
      } catch (err) {
        this.transitions.failed(err);
      }
    } else this.transitions.failed();
    return this.local.hit(key, windowMs);
  }

  check(): Promise<'ok' | 'down'> {
    return this.shared.check();
  }

  reportTo(log: TransitionLog): void {
    this.transitions.reportTo(log);
  }

  async close() {
    await this.shared.close();
    await this.local.close();
  }
}
