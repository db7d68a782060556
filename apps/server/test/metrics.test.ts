import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPEC_CREATE_BODY } from '@0bit/api/test-support/server';
import { FLOAT_ORDER, signedPost } from '@0bit/exchange/test-support/server';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { send } from '@0bit/testing/http';
import { type RunningServer, startServerProcess } from '@0bit/testing/process';
import { type Scrape, scrape } from '@0bit/testing/prometheus';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import { until } from '@0bit/testing/scratch-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` with METRICS_PORT: GET /metrics on its own loopback port, parsed with a Prometheus text-format
 * parser library, and its counters move as requests, webhook deliveries and failures happen. PGlite, or a
 * database of its own on the DATABASE_URL server (with REDIS_URL when the pass has one).
 */
describe('Prometheus metrics (npm start with METRICS_PORT)', () => {
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-metrics-'));
  let postgres: { url: string; drop: () => Promise<void> } | null = null;
  let server: RunningServer;
  let metricsUrl = '';
  let exchangeUrl = '';
  let happy: Receiver;
  let broken: Receiver;

  const admin = { authorization: `Bearer ${adminToken}` };
  const newPartner = async () => {
    const created = await send(server.baseUrl, 'POST', '/admin/partners', {
      headers: admin,
      body: { name: `Metrics ${randomUUID().slice(0, 6)}`, allowed_domains: ['https://partner.example'] },
    });
    expect(created.status).toBe(201);
    return { id: created.body.partner.id as string, sk: created.body.keys.test.secret_key as string };
  };
  const pointWebhooksAt = async (sk: string, url: string) => {
    const set = await send(server.baseUrl, 'PUT', '/portal/webhook-endpoint', {
      headers: { authorization: `Bearer ${sk}`, 'idempotency-key': randomUUID() },
      body: { url },
    });
    expect(set.status).toBe(200);
  };
  const create = (sk: string, key: string = randomUUID()) =>
    send(server.baseUrl, 'POST', '/v1/gate_sessions', {
      headers: { authorization: `Bearer ${sk}`, 'idempotency-key': key },
      body: SPEC_CREATE_BODY,
    });

  beforeAll(async () => {
    postgres = usingPostgres() ? await createTestDatabase() : null;
    happy = await startReceiver();
    broken = await startReceiver();
    broken.respond(() => ({ status: 500 }));
    server = await startServerProcess(
      {
        DATABASE_URL: postgres?.url ?? '',
        DATA_DIR: dataDir,
        REDIS_KEY_PREFIX: `metrics:${randomBytes(4).toString('hex')}:`,
        METRICS_PORT: '0',
        RATE_LIMITS: 'on',
        ADMIN_TOKEN: adminToken,
        SECRETS_KEY: randomBytes(32).toString('hex'),
        DEMO_PARTNER: 'off',
        WIDGET_ENABLED: 'false',
        LOG_LEVEL: 'warn',
        // Two attempts, 0.2 s apart: a failing endpoint is dead-lettered within a second.
        WEBHOOK_RETRY_SCHEDULE: '0.2',
      },
      90_000,
    );
    await until(() => /Metrics \(Prometheus\): (\S+)/.test(server.output()), 10_000, 'the metrics line');
    metricsUrl = /Metrics \(Prometheus\): (\S+)/.exec(server.output())![1]!;
    exchangeUrl = `http://127.0.0.1:${/0trace partner API listening on http:\/\/localhost:(\d+)/.exec(server.output())![1]}`;
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await happy?.close();
    await broken?.close();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is served on its own loopback port only, never on the public API ports', async () => {
    expect(new URL(metricsUrl).hostname).toBe('127.0.0.1');
    expect(new URL(metricsUrl).port).not.toBe(String(server.port));
    expect((await send(server.baseUrl, 'GET', '/metrics')).status).toBe(404);
    expect((await send(exchangeUrl, 'GET', '/metrics')).status).toBe(404);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('HTTP requests, sessions, replays, rate-limit refusals and webhook attempts move their counters', async () => {
    const before = await scrape(metricsUrl);
    const partner = await newPartner();
    const failing = await newPartner();
    await pointWebhooksAt(partner.sk, happy.url);
    await pointWebhooksAt(failing.sk, broken.url);

    // 0Gate: creates until the limit (10 per minute per key) refuses one; one replay on the way.
    const key = randomUUID();
    const first = await create(partner.sk, key);
    expect(first.status).toBe(201);
    const replay = await create(partner.sk, key);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const statuses = [first.status, replay.status];
    while (statuses.at(-1) !== 429) {
      statuses.push((await create(partner.sk)).status);
      expect(statuses.length).toBeLessThan(20);
    }
    const created = statuses.filter((s) => s === 201).length - 1; // the replay created nothing
    const sessionId = first.body.id as string;
    const completed = await send(server.baseUrl, 'POST', `/v1/test_helpers/sessions/${sessionId}/complete`, {
      headers: { authorization: `Bearer ${partner.sk}`, 'idempotency-key': randomUUID() },
    });
    expect(completed.status).toBe(200);
    // The failing partner's one event: attempt 1 fails (retrying), attempt 2 fails for good.
    expect((await create(failing.sk)).status).toBe(201);

    // 0trace: an unsigned call (401) and a signed order.
    const onboarded = await send(exchangeUrl, 'POST', '/admin/exchange/partners', {
      headers: admin,
      body: { name: 'Metrics 0trace' },
    });
    expect(onboarded.status).toBe(201);
    expect((await send(exchangeUrl, 'POST', '/api/v1/price', { body: '{}' })).status).toBe(401);
    const order = await signedPost(exchangeUrl, '/api/v1/create', FLOAT_ORDER, onboarded.body.data);
    expect(order.body.code).toBe(0);

    // Every event of the happy partner delivered; the failing one's twice attempted.
    await happy.waitFor(created + 1, 20_000);
    await broken.waitFor(2, 20_000);
    let after: Scrape = before;
    const delta = (name: string, labels: Record<string, string> = {}) =>
      after.value(name, labels) - before.value(name, labels);
    const countDelta = (name: string, labels: Record<string, string> = {}) =>
      after.count(name, labels) - before.count(name, labels);
    await until(
      async () => {
        after = await scrape(metricsUrl);
        return (
          delta('webhook_dead_lettered_total', { product: '0gate' }) === 1 &&
          delta('webhook_attempts_total', { product: '0gate', outcome: 'delivered' }) >= created + 1 &&
          after.value('webhook_backlog', { product: '0gate' }) === 0
        );
      },
      20_000,
      'every attempt to be recorded and counted',
    );

    const creates = { product: '0gate', method: 'POST', route: '/v1/gate_sessions' };
    expect(delta('http_requests_total', { ...creates, status_class: '2xx' })).toBe(created + 2);
    expect(delta('http_requests_total', { ...creates, status_class: '4xx' })).toBe(1);
    expect(countDelta('http_request_duration_seconds', { ...creates, status_class: '2xx' })).toBe(
      created + 2,
    );
    expect(delta('rate_limit_refusals_total', { product: '0gate', route: '/v1/gate_sessions' })).toBe(1);
    expect(delta('idempotent_replays_total', { product: '0gate' })).toBe(1);
    expect(delta('gate_sessions_total', { mode: 'test', outcome: 'created' })).toBe(created + 1);
    expect(delta('gate_sessions_total', { mode: 'test', outcome: 'completed' })).toBe(1);
    expect(
      delta('http_requests_total', {
        product: '0gate',
        method: 'POST',
        route: '/v1/test_helpers/sessions/:id/complete',
        status_class: '2xx',
      }),
    ).toBe(1);

    expect(delta('webhook_attempts_total', { product: '0gate', outcome: 'delivered' })).toBe(created + 1);
    expect(delta('webhook_attempts_total', { product: '0gate', outcome: 'retrying' })).toBe(1);
    expect(delta('webhook_attempts_total', { product: '0gate', outcome: 'dead_lettered' })).toBe(1);
    expect(countDelta('webhook_first_attempt_delay_seconds', { product: '0gate' })).toBe(created + 2);
    expect(after.value('webhook_backlog', { product: '0gate' })).toBe(0);
    expect(after.samples('webhook_oldest_pending_age_seconds', { product: '0gate' })).toHaveLength(1);

    expect(
      delta('http_requests_total', {
        product: '0trace',
        method: 'POST',
        route: '/api/v1/price',
        status_class: '4xx',
      }),
    ).toBe(1);
    expect(
      delta('http_requests_total', {
        product: '0trace',
        method: 'POST',
        route: '/api/v1/create',
        status_class: '2xx',
      }),
    ).toBe(1);
    expect(after.value('exchange_open_orders', { status: 'NEW' })).toBeGreaterThanOrEqual(1);
    expect(countDelta('exchange_nonce_claim_duration_seconds', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);

    // The database, Redis and the process.
    expect(countDelta('db_query_duration_seconds', { outcome: 'ok' })).toBeGreaterThan(10);
    if (usingPostgres()) {
      expect(after.samples('db_pool_connections', { state: 'in_use' })).toHaveLength(1);
      expect(after.samples('db_pool_connections', { state: 'waiting' })).toHaveLength(1);
    }
    if (process.env.REDIS_URL) expect(after.value('redis_up')).toBe(1);
    else expect(after.family('redis_up')).toBeUndefined();
    expect(after.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after.samples('nodejs_heap_size_used_bytes')).toHaveLength(1);

    // No partner id, key or secret in any label: bounded sets only.
    const labelValues = after.families.flatMap((f) =>
      f.metrics.flatMap((m) => Object.values(m.labels ?? {})),
    );
    const secrets = [partner.id, failing.id, partner.sk, adminToken, sessionId, onboarded.body.data.apiKey];
    for (const secret of secrets) {
      expect(secret).toMatch(/^\S{8,}$/);
      expect(labelValues.some((v) => v.includes(secret))).toBe(false);
    }
    expect(labelValues.some((v) => /sk_(test|live)_/.test(v))).toBe(false);
  }, 90_000);
});
