import { Redis } from 'ioredis';
import type { Db } from '../../../api/src/store/db.ts';
import { ExchangeError } from '../domain/errors.ts';
import { claimNonce } from './credentials.ts';

/**
 * Where seen nonces live so that every instance agrees a nonce is used once per key within the window.
 * PostgreSQL by default (a primary key; one durable insert per request); Redis when REDIS_URL is set
 * (SET NX with an expiry: no commit per request, and old nonces expire by themselves). Redis is one server
 * (or a primary with replicas): a batch's keys go to one script call, which a Redis Cluster would refuse
 * unless they shared a hash slot.
 */
export interface NonceStore {
  /** True the first time a nonce is seen for a credential within `windowSeconds`. */
  claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean>;
  close(): Promise<void>;
}

export class DatabaseNonceStore implements NonceStore {
  constructor(private readonly db: Db) {}

  claim(credentialId: string, nonce: string): Promise<boolean> {
    return claimNonce(this.db, credentialId, nonce);
  }

  async close(): Promise<void> {}
}

/** Claims every queued nonce in one round trip: SET NX EX per key, answered 1 (new) or 0 (seen) in order. */
const CLAIM_ALL = `
local claimed = {}
for i, key in ipairs(KEYS) do
  claimed[i] = redis.call('SET', key, '1', 'EX', ARGV[i], 'NX') and 1 or 0
end
return claimed`;

/** Keys per script call; a larger queue is split so one call never blocks Redis for long. */
const MAX_BATCH = 256;

interface PendingClaim {
  key: string;
  windowSeconds: number;
  settle: (claimed: boolean) => void;
  fail: (error: Error) => void;
}

type ClaimingRedis = Redis & {
  claimNonces(keyCount: number, ...args: (string | number)[]): Promise<number[]>;
};

function replayProtectionUnavailable(): ExchangeError {
  // Replay protection is part of authentication: without its store, refuse rather than guess.
  return new ExchangeError('UNAVAILABLE', 'Replay protection is briefly unavailable; retry with a new nonce');
}

export class RedisNonceStore implements NonceStore {
  private readonly redis: ClaimingRedis;
  private queue: PendingClaim[] = [];

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 2000,
    }) as ClaimingRedis;
    // ioredis sends EVALSHA and falls back to EVAL once if Redis has not cached the script yet.
    this.redis.defineCommand('claimNonces', { lua: CLAIM_ALL });
    this.redis.on('error', () => {});
  }

  /**
   * One nonce per request is the API's hottest shared state, so the claims of every request read in one
   * turn of the event loop go to Redis together: one script call and one reply instead of a command each.
   */
  claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.queue.push({ key: `${this.prefix}nonce:${credentialId}:${nonce}`, windowSeconds, settle, fail });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const queued = this.queue;
    this.queue = [];
    for (let start = 0; start < queued.length; start += MAX_BATCH)
      void this.send(queued.slice(start, start + MAX_BATCH));
  }

  private async send(batch: PendingClaim[]): Promise<void> {
    let answers: number[];
    try {
      answers = await this.redis.claimNonces(
        batch.length,
        ...batch.map((claim) => claim.key),
        ...batch.map((claim) => claim.windowSeconds),
      );
    } catch {
      for (const claim of batch) claim.fail(replayProtectionUnavailable());
      return;
    }
    batch.forEach((claim, i) => {
      claim.settle(answers[i] === 1);
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
