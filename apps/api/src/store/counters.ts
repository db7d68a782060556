import { Redis } from 'ioredis';

/**
 * Fixed-window counters for rate limits. In memory for one process; in Redis when several instances must
 * enforce one limit together. `hit` counts one request and says how many the window has seen so far.
 */
export interface WindowCounter {
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  close(): Promise<void>;
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
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    // Commands queue while (re)connecting, but none waits longer than commandTimeout: a Redis outage
    // makes hit() fail fast, and the limiter then lets the request through (see http/rate-limit.ts).
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 2000 });
    // Connection problems surface on hit(); the client reconnects by itself.
    this.redis.on('error', () => {});
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
