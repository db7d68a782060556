import { TurnBatcher } from '@0bit/core/turn-batcher';
import type { Db } from '@0bit/db/connection';
import { RedisLink, type TransitionLog, Transitions } from '@0bit/db/redis';
import { metrics } from '@0bit/http/metrics';
import type { Redis } from 'ioredis';
import { traceError } from '../errors.ts';
import { claimNonces, type NonceClaim } from './credentials.ts';

/**
 * Where seen nonces live so that every instance agrees a nonce is used once per key within the window.
 * PostgreSQL by default (a primary key; old rows swept by the settlement loop); Redis when REDIS_URL is set
 * (SET NX with an expiry: no commit at all, and old nonces expire by themselves). One nonce per request is
 * the API's hottest shared state, so both stores claim the nonces of one event-loop turn together.
 */
export interface NonceStore {
  /** True the first time a nonce is seen for a credential within `windowSeconds`. */
  claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean>;
  close(): Promise<void>;
  /** Whether the shared store answers right now; absent when the store is the database itself. */
  check?(): Promise<'ok' | 'down'>;
  /** Where to announce a switch to a fallback store and back. */
  reportTo?(log: TransitionLog): void;
}

/** Nonces as rows: one multi-row insert (one commit) per batch; the primary key decides, across instances too. */
export class DatabaseNonceStore implements NonceStore {
  private readonly batcher: TurnBatcher<NonceClaim, boolean>;

  constructor(db: Db) {
    this.batcher = new TurnBatcher((claims) => metrics.timeNonce('database', () => claimNonces(db, claims)));
  }

  claim(credentialId: string, nonce: string): Promise<boolean> {
    return this.batcher.add({ credentialId, nonce });
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

/**
 * Nonces as Redis keys. Redis is one server (or a primary with replicas): a batch's keys go to one script
 * call, which a Redis Cluster would refuse unless they shared a hash slot.
 */
export class RedisNonceStore implements NonceStore {
  private readonly link: RedisLink<ClaimingRedis>;
  private readonly redis: ClaimingRedis;
  private readonly batcher: TurnBatcher<{ key: string; windowSeconds: number }, boolean>;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.link = new RedisLink<ClaimingRedis>(url);
    this.redis = this.link.redis;
    // ioredis sends EVALSHA and falls back to EVAL once if Redis has not cached the script yet.
    this.redis.defineCommand('claimNonces', { lua: CLAIM_ALL });
    this.batcher = new TurnBatcher((claims) => metrics.timeNonce('redis', () => this.claimAll(claims)));
  }

  claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean> {
    return this.batcher.add({ key: `${this.prefix}nonce:${credentialId}:${nonce}`, windowSeconds });
  }

  get ready(): boolean {
    return this.link.ready;
  }

  check(): Promise<'ok' | 'down'> {
    return this.link.check();
  }

  private async claimAll(claims: { key: string; windowSeconds: number }[]): Promise<boolean[]> {
    let answers: number[];
    try {
      answers = await this.redis.claimNonces(
        claims.length,
        ...claims.map((claim) => claim.key),
        ...claims.map((claim) => claim.windowSeconds),
      );
    } catch {
      // Replay protection is part of authentication: without its store, refuse rather than guess.
      throw traceError('UNAVAILABLE', 'Replay protection is briefly unavailable; retry with a new nonce');
    }
    return answers.map((answer) => answer === 1);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Redis nonces, and the database nonce store while Redis is unreachable, so that an outage of Redis does not
 * take every signed 0trace call down with it. Replays stay refused across the switch in one direction only:
 * a nonce claimed in Redis before the outage is not in the database, so during the outage it could be
 * accepted once more (docs/exchange/authentication.md says so). Nonces claimed in the database during the
 * outage are still refused afterwards: until the window of the last fallback claim has passed, a nonce that
 * Redis takes as new is also claimed in the database.
 */
export class FallbackNonceStore implements NonceStore {
  private readonly transitions = new Transitions(
    'Redis is unavailable: 0trace nonces are claimed in the database until it is back',
    'Redis is back: 0trace nonces are claimed in Redis again',
  );
  /** Until then (ms), nonces claimed in the database during an outage must still be looked for there. */
  private databaseUntil = 0;

  constructor(
    private readonly redis: RedisNonceStore,
    private readonly database: NonceStore,
  ) {}

  async claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean> {
    if (this.redis.ready) {
      let claimed: boolean | undefined;
      try {
        claimed = await this.redis.claim(credentialId, nonce, windowSeconds);
        this.transitions.succeeded();
      } catch (err) {
        this.transitions.failed(err);
      }
      if (claimed === false) return false;
      if (claimed === true)
        return Date.now() < this.databaseUntil
          ? this.database.claim(credentialId, nonce, windowSeconds)
          : true;
    } else this.transitions.failed();
    this.databaseUntil = Math.max(this.databaseUntil, Date.now() + windowSeconds * 1000);
    return this.database.claim(credentialId, nonce, windowSeconds);
  }

  check(): Promise<'ok' | 'down'> {
    return this.redis.check();
  }

  reportTo(log: TransitionLog): void {
    this.transitions.reportTo(log);
  }

  async close(): Promise<void> {
    await this.redis.close();
    await this.database.close();
  }
}
