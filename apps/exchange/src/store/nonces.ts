import { Redis } from 'ioredis';
import type { Db } from '../../../api/src/store/db.ts';
import { ExchangeError } from '../domain/errors.ts';
import { claimNonce } from './credentials.ts';

/**
 * Where seen nonces live so that every instance agrees a nonce is used once per key within the window.
 * PostgreSQL by default (a primary key; one durable insert per request); Redis when REDIS_URL is set
 * (SET NX with an expiry: no commit per request, and old nonces expire by themselves).
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

export class RedisNonceStore implements NonceStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    // Auto-pipelining sends the claims of concurrent requests in one write: one nonce per request is the
    // API's hottest shared state.
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 2000,
      enableAutoPipelining: true,
    });
    this.redis.on('error', () => {});
  }

  async claim(credentialId: string, nonce: string, windowSeconds: number): Promise<boolean> {
    let answer: string | null;
    try {
      answer = await this.redis.set(
        `${this.prefix}nonce:${credentialId}:${nonce}`,
        '1',
        'EX',
        windowSeconds,
        'NX',
      );
    } catch {
      // Replay protection is part of authentication: without its store, refuse rather than guess.
      throw new ExchangeError(
        'UNAVAILABLE',
        'Replay protection is briefly unavailable; retry with a new nonce',
      );
    }
    return answer === 'OK';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
