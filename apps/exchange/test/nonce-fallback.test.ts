import { randomBytes } from 'node:crypto';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { redisAvailable, type ScratchRedis, startScratchRedis, until } from '@0bit/testing/scratch-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseNonceStore, FallbackNonceStore, RedisNonceStore } from '../src/store/nonces.ts';

/** Redis nonces with the database behind them, on a Redis of the test's own that it stops and starts. */
describe.skipIf(!redisAvailable())('Redis nonce store falling back to the database', () => {
  let redis: ScratchRedis;
  let database: TestDatabase;
  let store: FallbackNonceStore;
  const warnings: string[] = [];
  const nonce = () => randomBytes(8).toString('hex');

  beforeAll(async () => {
    redis = await startScratchRedis();
    database = await freshDatabase();
    store = new FallbackNonceStore(
      new RedisNonceStore(redis.url, `fallback:${randomBytes(4).toString('hex')}:`),
      new DatabaseNonceStore(database.db),
    );
    store.reportTo({ warn: (_obj, msg) => warnings.push(msg) });
  });

  afterAll(async () => {
    await store?.close();
    await database?.close();
    await redis?.remove();
  });

  it('claims in the database while Redis is down, still once each, and refuses those nonces after it is back', async () => {
    const before = nonce();
    expect(await store.claim('cred', before, 60)).toBe(true);
    expect(await store.check()).toBe('ok');

    await redis.stop();
    const during = nonce();
    const answers = await Promise.all([store.claim('cred', during, 60), store.claim('cred', during, 60)]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await store.claim('cred', during, 60)).toBe(false);
    expect(await store.check()).toBe('down');
    expect(warnings).toEqual([
      'Redis is unavailable: 0trace nonces are claimed in the database until it is back',
    ]);

    await redis.start();
    await until(async () => (await store.check()) === 'ok', 20_000, 'the store reconnects to Redis');
    // Redis never saw it, yet it was used during the outage: still refused.
    expect(await store.claim('cred', during, 60)).toBe(false);
    expect(await store.claim('cred', nonce(), 60)).toBe(true);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/Redis is back/);
  }, 60_000);
});
