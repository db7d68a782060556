import { randomBytes } from 'node:crypto';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { freePort } from '@0bit/testing/http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorName } from '../src/errors.ts';
import { DatabaseNonceStore, type NonceStore, RedisNonceStore } from '../src/store/nonces.ts';

const REDIS_URL = process.env.REDIS_URL;
const prefix = `test:${randomBytes(6).toString('hex')}:`;

/** Two stores on one backend stand for two instances of the API. */
interface Backend {
  stores: [NonceStore, NonceStore];
  close(): Promise<void>;
}

async function databaseBackend(): Promise<Backend> {
  const database: TestDatabase = await freshDatabase();
  return {
    stores: [new DatabaseNonceStore(database.db), new DatabaseNonceStore(database.db)],
    close: () => database.close(),
  };
}

async function redisBackend(): Promise<Backend> {
  const stores: [NonceStore, NonceStore] = [
    new RedisNonceStore(REDIS_URL ?? '', prefix),
    new RedisNonceStore(REDIS_URL ?? '', prefix),
  ];
  return {
    stores,
    close: async () => {
      for (const store of stores) await store.close();
      const redis = new Redis(REDIS_URL ?? '');
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
      redis.disconnect();
    },
  };
}

const backends = [
  { name: 'database (PGlite, or PostgreSQL with DATABASE_URL)', open: databaseBackend, skip: false },
  { name: 'Redis', open: redisBackend, skip: !REDIS_URL },
];

describe.each(backends)('$name nonce store (claims batched per event-loop turn)', ({ open, skip }) => {
  let backend: Backend;
  beforeAll(async () => {
    if (!skip) backend = await open();
  });
  afterAll(async () => {
    await backend?.close();
  });

  it.skipIf(skip)(
    'accepts each nonce exactly once, even twice in one batch or raced at two instances',
    async () => {
      const [one, two] = backend.stores;
      const nonces = Array.from({ length: 300 }, () => randomBytes(8).toString('hex'));
      // Every nonce three times: twice through one store (the same batch), once through the other instance.
      // 600 claims in one turn also overflow one round trip (256 claims), so batches are split.
      const answers = await Promise.all(
        nonces.flatMap((nonce) => [
          one.claim('cred_a', nonce, 60),
          one.claim('cred_a', nonce, 60),
          two.claim('cred_a', nonce, 60),
        ]),
      );
      for (let i = 0; i < nonces.length; i++)
        expect(answers.slice(i * 3, i * 3 + 3).filter(Boolean)).toHaveLength(1);
      // Seen before: refused in a later turn too; the same nonce under another credential is a new claim.
      expect(await two.claim('cred_a', nonces[0] as string, 60)).toBe(false);
      expect(await one.claim('cred_b', nonces[0] as string, 60)).toBe(true);
    },
  );
});

describe.skipIf(!REDIS_URL)('Redis nonce store expiry', () => {
  it('forgets a nonce after its window, so the key expires by itself', async () => {
    const backend = await redisBackend();
    try {
      const [one, two] = backend.stores;
      const nonce = randomBytes(8).toString('hex');
      expect(await one.claim('cred_a', nonce, 1)).toBe(true);
      expect(await two.claim('cred_a', nonce, 1)).toBe(false);
      await new Promise((r) => setTimeout(r, 1200));
      expect(await two.claim('cred_a', nonce, 1)).toBe(true);
    } finally {
      await backend.close();
    }
  });
});

describe('Redis nonce store when Redis is unreachable', () => {
  it('refuses every claim of the batch with UNAVAILABLE (code 11) instead of letting a replay through', async () => {
    const store = new RedisNonceStore(`redis://127.0.0.1:${await freePort()}`, prefix);
    try {
      const results = await Promise.allSettled([
        store.claim('c', 'nonce-000001', 60),
        store.claim('c', 'nonce-000002', 60),
      ]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason;
        // The 0trace catalogue name, which the envelope renders as code 11 with HTTP 503.
        expect(error).toMatchObject({ code: 'UNAVAILABLE' });
        expect(ERROR_CODES[error.code as ErrorName]).toMatchObject({ code: 11, status: 503 });
        expect(error.message).toMatch(/retry with a new nonce/);
      }
    } finally {
      await store.close();
    }
  });
});
