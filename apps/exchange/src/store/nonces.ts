import { Redis } from 'ioredis';
import type { Db } from '../../../api/src/store/db.ts';
import { ExchangeError } from '../domain/errors.ts';
import { claimNonces, type NonceClaim } from './credentials.ts';

/**
 * Where seen nonces live so that every instance agrees a nonce is used once per key within the window.
 * PostgreSQL by default (a primary key; old rows swept by the settlement loop); Redis when REDIS_URL is set
 * (SET NX with an expiry: no commit at all, and old nonces expire by themselves). Redis is one server (or a
 * primary with replicas): a batch's keys go to one script call, which a Redis Cluster would refuse unless
 * they shared a hash slot.
 */
export interface NonceStore {
  /** True the first time a nonce is seen for a credential within `windowSeconds`. */
  claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Pending {
  claim: NonceClaim & { windowSeconds: number };
  settle: (claimed: boolean) => void;
  fail: (error: unknown) => void;
}

/** Claims per round trip at most; a longer queue is split so one call never holds the store for long. */
const MAX_BATCH = 256;

/**
 * One nonce per request is the API's hottest shared state, so the claims of every request read in one turn
 * of the event loop go to the store together — one round trip (and on PostgreSQL one commit) per turn
 * instead of one per request. `send` answers one boolean per claim, in order.
 */
abstract class BatchingNonceStore implements NonceStore {
  private queue: Pending[] = [];

  protected abstract send(claims: Pending['claim'][]): Promise<boolean[]>;
  abstract close(): Promise<void>;

  claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean> {
    return new Promise((settle, fail) => {
      this.queue.push({ claim: { credentialId, nonce, windowSeconds }, settle, fail });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const queued = this.queue;
    this.queue = [];
    for (let start = 0; start < queued.length; start += MAX_BATCH)
      void this.sendBatch(queued.slice(start, start + MAX_BATCH));
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    let answers: boolean[];
    try {
      answers = await this.send(batch.map((pending) => pending.claim));
    } catch (error) {
      for (const pending of batch) pending.fail(error);
      return;
    }
    batch.forEach((pending, i) => {
      pending.settle(answers[i] === true);
    });
  }
}

/** Nonces as rows: one multi-row insert per batch; the primary key decides, across instances too. */
export class DatabaseNonceStore extends BatchingNonceStore {
  constructor(private readonly db: Db) {
    super();
  }

  protected send(claims: NonceClaim[]): Promise<boolean[]> {
    return claimNonces(this.db, claims);
  }

  async close(): Promise<void> {}
}

/** Claims every key of a batch in one call: SET NX EX per key, answered 1 (new) or 0 (seen) in order. */
const CLAIM_ALL = `
local claimed = {}
for i, key in ipairs(KEYS) do
  claimed[i] = redis.call('SET', key, '1', 'EX', ARGV[i], 'NX') and 1 or 0
end
return claimed`;

type ClaimingRedis = Redis & {
  claimNonces(keyCount: number, ...args: (string | number)[]): Promise<number[]>;
};

export class RedisNonceStore extends BatchingNonceStore {
  private readonly redis: ClaimingRedis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    super();
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 2000,
    }) as ClaimingRedis;
    // ioredis sends EVALSHA and falls back to EVAL once if Redis has not cached the script yet.
    this.redis.defineCommand('claimNonces', { lua: CLAIM_ALL });
    this.redis.on('error', () => {});
  }

  protected async send(claims: Pending['claim'][]): Promise<boolean[]> {
    let answers: number[];
    try {
      answers = await this.redis.claimNonces(
        claims.length,
        ...claims.map((claim) => `${this.prefix}nonce:${claim.credentialId}:${claim.nonce}`),
        ...claims.map((claim) => claim.windowSeconds),
      );
    } catch {
      // Replay protection is part of authentication: without its store, refuse rather than guess.
      throw new ExchangeError(
        'UNAVAILABLE',
        'Replay protection is briefly unavailable; retry with a new nonce',
      );
    }
    return answers.map((answer) => answer === 1);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
