import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPEC_CREATE_BODY } from '@0bit/api/test-support/server';
import { hmacHex, signedPost } from '@0bit/exchange/test-support/server';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { send } from '@0bit/testing/http';
import { type RunningServer, startServerProcess } from '@0bit/testing/process';
import { redisAvailable, type ScratchRedis, startScratchRedis, until } from '@0bit/testing/scratch-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PRICE = '{"type":"float","fromCcy":"eth","toCcy":"btc","direction":"from","amount":"1"}';
const RATE_LIMIT_DOWN = /Redis is unavailable.*rate limits/;
const RATE_LIMIT_BACK = /Redis is back.*rate limits/;

/**
 * `npm start` with REDIS_URL on a Redis of the test's own, which the test stops and starts. Without Redis the
 * platform keeps working on documented fallbacks: per-process rate limits (announced once per transition),
 * 0trace nonces in the database, and /health says `degraded` and which dependency is down.
 */
describe.skipIf(!redisAvailable())('Redis outage (npm start with REDIS_URL)', () => {
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-redis-outage-'));
  let redis: ScratchRedis;
  let server: RunningServer;
  let exchangeUrl = '';
  let credentials: { apiKey: string; apiSecret: string };
  let postgres: { url: string; drop: () => Promise<void> } | null = null;

  const newSecretKey = async () => {
    const created = await send(server.baseUrl, 'POST', '/admin/partners', {
      headers: { authorization: `Bearer ${adminToken}` },
      body: { name: `Redis ${randomUUID().slice(0, 6)}`, allowed_domains: ['https://partner.example'] },
    });
    expect(created.status).toBe(201);
    return created.body.keys.test.secret_key as string;
  };
  const createStatuses = async (sk: string, count: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++)
      statuses.push(
        (
          await send(server.baseUrl, 'POST', '/v1/gate_sessions', {
            headers: { authorization: `Bearer ${sk}`, 'idempotency-key': randomUUID() },
            body: SPEC_CREATE_BODY,
          })
        ).status,
      );
    return statuses;
  };
  const lines = (pattern: RegExp) =>
    server
      .output()
      .split('\n')
      .filter((l) => pattern.test(l));

  beforeAll(async () => {
    redis = await startScratchRedis();
    // PGlite by default; in the PostgreSQL pass a database of its own on that server.
    postgres = usingPostgres() ? await createTestDatabase() : null;
    server = await startServerProcess(
      {
        DATABASE_URL: postgres?.url ?? '',
        DATA_DIR: dataDir,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `outage:${randomBytes(4).toString('hex')}:`,
        RATE_LIMITS: 'on',
        ADMIN_TOKEN: adminToken,
        SECRETS_KEY: randomBytes(32).toString('hex'),
        DEMO_PARTNER: 'off',
        WIDGET_ENABLED: 'false',
        LOG_LEVEL: 'warn',
      },
      90_000,
    ); // PGlite's first start and migrations on a loaded machine
    exchangeUrl = `http://127.0.0.1:${/0trace partner API listening on http:\/\/localhost:(\d+)/.exec(server.output())![1]}`;
    const onboarded = await send(exchangeUrl, 'POST', '/admin/exchange/partners', {
      headers: { authorization: `Bearer ${adminToken}` },
      body: { name: 'Redis outage' },
    });
    expect(onboarded.status).toBe(201);
    credentials = onboarded.body.data;
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await redis?.remove();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports every dependency ok while Redis is up', async () => {
    const health = await send(server.baseUrl, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    expect((await signedPost(exchangeUrl, '/api/v1/price', PRICE, credentials)).body.code).toBe(0);
  });

  it('with Redis stopped: /health degraded, per-process rate limits announced once, 0trace nonces in the database', async () => {
    await redis.stop();

    const health = await send(server.baseUrl, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', checks: { database: 'ok', redis: 'down' } });
    const exchangeHealth = await send(exchangeUrl, 'GET', '/health');
    expect(exchangeHealth.status).toBe(200);
    expect(exchangeHealth.body.data).toMatchObject({
      status: 'degraded',
      checks: { database: 'ok', redis: 'down' },
    });

    // Limits still hold (10 creates per minute per key), counted in this process.
    const statuses = await createStatuses(await newSecretKey(), 12);
    expect(statuses).toEqual([...Array(10).fill(201), 429, 429]);
    await until(() => lines(RATE_LIMIT_DOWN).length >= 1, 5000, 'a warning that rate limits are per process');
    expect(lines(RATE_LIMIT_DOWN)).toHaveLength(1); // once per transition, not once per request

    // Signed 0trace calls keep working: their nonces go to the database, and a replay is still refused.
    const price = await signedPost(exchangeUrl, '/api/v1/price', PRICE, credentials);
    expect(price.status).toBe(200);
    expect(price.body.code).toBe(0);
    const replayHeaders = {
      'content-type': 'application/json',
      'x-api-key': credentials.apiKey,
      'x-api-sign': hmacHex(credentials.apiSecret, PRICE),
      'x-api-nonce': randomBytes(16).toString('hex'),
    };
    const first = await send(exchangeUrl, 'POST', '/api/v1/price', { headers: replayHeaders, body: PRICE });
    expect(first.body.code).toBe(0);
    const replay = await send(exchangeUrl, 'POST', '/api/v1/price', { headers: replayHeaders, body: PRICE });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ code: 3, msg: 'AUTH_INVALID' });
  }, 60_000);

  it('with Redis back: /health ok again and the shared limits announced once', async () => {
    await redis.start();
    await until(
      async () => (await send(server.baseUrl, 'GET', '/health')).body?.status === 'ok',
      20_000,
      '/health ok after Redis started again',
    );
    // The next counted request finds Redis again.
    await until(
      async () => {
        await createStatuses(await newSecretKey(), 1);
        return lines(RATE_LIMIT_BACK).length >= 1;
      },
      20_000,
      'a log line that rate limits are shared again',
    );
    expect(lines(RATE_LIMIT_BACK)).toHaveLength(1);
    expect(lines(RATE_LIMIT_DOWN)).toHaveLength(1);
    expect((await signedPost(exchangeUrl, '/api/v1/price', PRICE, credentials)).body.code).toBe(0);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});
