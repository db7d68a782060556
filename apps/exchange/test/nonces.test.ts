import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../api/test/support/http.ts';
import { RedisNonceStore } from '../src/store/nonces.ts';

const REDIS_URL = process.env.REDIS_URL;
const prefix = `test:${randomBytes(6).toString('hex')}:`;

describe.skipIf(!REDIS_URL)('Redis nonce store (claims batched per event-loop turn)', () => {
  const stores = [new RedisNonceStore(REDIS_URL ?? '', prefix), new RedisNonceStore(REDIS_URL ?? '', prefix)];

  afterAll(async () => {
    for (const store of stores) await store.close();
    const redis = new Redis(REDIS_URL ?? '');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  });

  it('accepts each nonce exactly once, even when the same nonce is in one batch twice or races two instances', async () => {
    const nonces = Array.from({ length: 700 }, () => randomBytes(8).toString('hex'));
    // Every nonce three times: twice through one store (the same batch), once through the other instance.
    // 1 400 claims in one turn also overflow one script call (256 keys), so batches are split.
    const claims = nonces.flatMap((nonce) => [
      stores[0]?.claim('cred_a', nonce, 60),
      stores[0]?.claim('cred_a', nonce, 60),
      stores[1]?.claim('cred_a', nonce, 60),
    ]);
    const answers = await Promise.all(claims);
    for (let i = 0; i < nonces.length; i++)
      expect(answers.slice(i * 3, i * 3 + 3).filter(Boolean)).toHaveLength(1);
    // The same nonce under another credential is a different claim.
    expect(await stores[0]?.claim('cred_b', nonces[0] as string, 60)).toBe(true);
  });

  it('forgets a nonce after its window, so the key expires by itself', async () => {
    const nonce = randomBytes(8).toString('hex');
    expect(await stores[0]?.claim('cred_a', nonce, 1)).toBe(true);
    expect(await stores[1]?.claim('cred_a', nonce, 1)).toBe(false);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await stores[1]?.claim('cred_a', nonce, 1)).toBe(true);
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
        expect(error).toMatchObject({ kind: 'UNAVAILABLE', code: 11 });
        expect(error.message).toMatch(/retry with a new nonce/);
      }
    } finally {
      await store.close();
    }
  });
});
