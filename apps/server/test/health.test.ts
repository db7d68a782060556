import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@0bit/api/app';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { SecretBox } from '@0bit/core/secret-box';
import { SettingsReader } from '@0bit/core/settings';
import { type OpenedDatabase, openDatabase } from '@0bit/db/connection';
import { buildExchangeApp } from '@0bit/exchange/app';
import { RedisCounter } from '@0bit/http/counters';
import { type ReadinessProbes, readHealthSettings } from '@0bit/http/health';
import { createTestDatabase, freshDatabase, type TestDatabase, usingPostgres } from '@0bit/testing/database';
import { send } from '@0bit/testing/http';
import { type RunningServer, spawnScript, startServerProcess } from '@0bit/testing/process';
import { until } from '@0bit/testing/scratch-services';
import { coordinatorFor, leaderLockHeld } from '@0bit/webhooks/coordinator';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const box = new SecretBox(SecretBox.generateKey());
const adminToken = `adm_${randomBytes(20).toString('hex')}`;
const settings = (requires?: string) =>
  readHealthSettings(new SettingsReader(requires === undefined ? {} : { HEALTH_READY_REQUIRES: requires }));

/** Both APIs on one database, with the given readiness probes and Redis (rate-limit counter). */
async function bothApis(
  db: OpenedDatabase['db'],
  readiness: ReadinessProbes,
  counter: RedisCounter | null = null,
): Promise<{ gate: FastifyInstance; trace: FastifyInstance; close: () => Promise<void> }> {
  const gate = await buildApp({
    db,
    box,
    adminToken,
    counter,
    tokens: new EmbedTokens([{ kid: 'k', secret: randomBytes(32).toString('hex') }], 3600),
    readiness,
  });
  const trace = await buildExchangeApp({ db, box, adminToken, counter, readiness });
  return {
    gate,
    trace,
    close: async () => {
      await gate.close();
      await trace.close();
    },
  };
}

/** GET a health path on both APIs; 0trace's report is unwrapped from its envelope. */
async function probe(apis: { gate: FastifyInstance; trace: FastifyInstance }, path: string) {
  const gate = await apis.gate.inject({ method: 'GET', url: path });
  const trace = await apis.trace.inject({ method: 'GET', url: path });
  const traceBody = trace.json();
  return {
    gate: { status: gate.statusCode, body: gate.json() },
    trace: { status: trace.statusCode, body: traceBody.data, envelope: traceBody },
  };
}

describe('/health/live and /health/ready on both APIs', () => {
  let database: TestDatabase;
  let leader = true;
  const readiness = (requires?: string): ReadinessProbes => ({
    settings: settings(requires),
    leader: async () => leader,
  });

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('ready: every check ok, 200, in each API envelope; live: 200; /health unchanged', async () => {
    const apis = await bothApis(database.db, readiness());
    try {
      const ready = await probe(apis, '/health/ready');
      const expected = {
        status: 'ok',
        draining: false,
        checks: { database: 'ok', migrations: 'ok', leader: 'ok' },
        required: ['database', 'migrations'],
      };
      expect(ready.gate).toEqual({ status: 200, body: expected });
      expect(ready.trace.status).toBe(200);
      expect(ready.trace.envelope).toEqual({ code: 0, msg: 'OK', data: expected });
      const live = await probe(apis, '/health/live');
      expect(live.gate).toEqual({ status: 200, body: { status: 'ok' } });
      expect(live.trace.envelope).toEqual({ code: 0, msg: 'OK', data: { status: 'ok' } });
      const legacy = await probe(apis, '/health');
      expect(legacy.gate).toEqual({ status: 200, body: { status: 'ok', checks: { database: 'ok' } } });
      expect(legacy.trace.envelope).toEqual({
        code: 0,
        msg: 'OK',
        data: { status: 'ok', checks: { database: 'ok' } },
      });
    } finally {
      await apis.close();
    }
  });

  it('a database that does not answer: ready 503 with database down; live still 200 (it calls nothing)', async () => {
    // PostgreSQL: a server address where nothing listens; PGlite: a closed instance. Every query fails.
    const closed = usingPostgres()
      ? await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/gone', connectTimeoutMs: 500 })
      : await openDatabase({ dataDir: null });
    if (!usingPostgres()) await closed.close();
    const apis = await bothApis(closed.db, readiness());
    try {
      const ready = await probe(apis, '/health/ready');
      expect(ready.gate.status).toBe(503);
      expect(ready.gate.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        status: 'unavailable',
        checks: { database: 'down' },
      });
      expect(ready.trace.status).toBe(503);
      expect(ready.trace.envelope).toMatchObject({
        code: 11,
        msg: 'UNAVAILABLE',
        data: { status: 'unavailable', checks: { database: 'down' } },
      });
      const live = await probe(apis, '/health/live');
      expect(live.gate.status).toBe(200);
      expect(live.trace.status).toBe(200);
    } finally {
      await apis.close();
      if (usingPostgres()) await closed.close();
    }
  });

  it('migrations behind the code: ready 503 naming the pending ones', async () => {
    const apis = await bothApis(database.db, readiness());
    const [last] = await sql<{ name: string; timestamp: string }>`
      SELECT name, timestamp FROM kysely_migration ORDER BY name DESC LIMIT 1`
      .execute(database.db)
      .then((r) => r.rows);
    await sql`DELETE FROM kysely_migration WHERE name = ${last!.name}`.execute(database.db);
    try {
      const ready = await probe(apis, '/health/ready');
      for (const api of [ready.gate, ready.trace]) {
        expect(api.status).toBe(503);
        expect(api.body).toMatchObject({
          status: 'unavailable',
          checks: { database: 'ok', migrations: 'behind' },
          pending: [last!.name],
        });
      }
    } finally {
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${last!.name}, ${last!.timestamp})`.execute(
        database.db,
      );
    }
    expect((await probe(apis, '/health/ready')).gate.status).toBe(200);
    await apis.close();
  });

  it('no webhook leader: degraded (200) by default, 503 when HEALTH_READY_REQUIRES names leader', async () => {
    leader = false;
    const lenient = await bothApis(database.db, readiness());
    const strict = await bothApis(database.db, readiness('database,migrations,leader'));
    try {
      const soft = await probe(lenient, '/health/ready');
      for (const api of [soft.gate, soft.trace]) {
        expect(api.status).toBe(200);
        expect(api.body).toMatchObject({ status: 'degraded', checks: { leader: 'down' } });
      }
      const hard = await probe(strict, '/health/ready');
      for (const api of [hard.gate, hard.trace]) {
        expect(api.status).toBe(503);
        expect(api.body).toMatchObject({
          status: 'unavailable',
          checks: { leader: 'down' },
          required: ['database', 'migrations', 'leader'],
        });
      }
    } finally {
      leader = true;
      await lenient.close();
      await strict.close();
    }
  });

  it('Redis configured and unreachable: reported down; 503 only when required', async () => {
    // Nothing listens on port 1: the real client fails its PING.
    const lenientRedis = new RedisCounter('redis://127.0.0.1:1', 'health:');
    const strictRedis = new RedisCounter('redis://127.0.0.1:1', 'health:');
    const lenient = await bothApis(database.db, readiness(), lenientRedis);
    const strict = await bothApis(database.db, readiness('redis'), strictRedis);
    try {
      const soft = await probe(lenient, '/health/ready');
      for (const api of [soft.gate, soft.trace]) {
        expect(api.status).toBe(200);
        expect(api.body).toMatchObject({ status: 'degraded', checks: { redis: 'down' } });
      }
      const hard = await probe(strict, '/health/ready');
      for (const api of [hard.gate, hard.trace]) {
        expect(api.status).toBe(503);
        expect(api.body).toMatchObject({ status: 'unavailable', checks: { redis: 'down' } });
      }
    } finally {
      await lenient.close();
      await strict.close();
      await lenientRedis.close();
      await strictRedis.close();
    }
  });

  it('while the app closes (SIGTERM), a request on an open connection gets ready 503 draining', async () => {
    const apis = await bothApis(database.db, readiness());
    for (const app of [apis.gate, apis.trace]) {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as { port: number };
      // A request in flight keeps the server closing: its body has not all arrived yet.
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      const ended = new Promise((resolve) => socket.on('close', resolve));
      socket.write('POST /health/live HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
      socket.write('Content-Length: 2\r\n\r\n{');
      await new Promise((r) => setTimeout(r, 200));
      const closing = app.close();
      await new Promise((r) => setTimeout(r, 100));
      // The rest of the body, then the next request on the same keep-alive connection.
      socket.write('}GET /health/ready HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await ended;
      await closing;
      const answers = text.split(/(?=HTTP\/1\.1 )/);
      expect(answers).toHaveLength(2);
      expect(answers[1]).toMatch(/^HTTP\/1\.1 503 /);
      expect(answers[1]).toMatch(/connection: close/i);
      const body = JSON.parse(answers[1]!.slice(answers[1]!.indexOf('\r\n\r\n') + 4));
      expect(body.data ?? body).toMatchObject({ status: 'unavailable', draining: true });
    }
  });

  it('HEALTH_READY_REQUIRES refuses unknown checks at start-up', () => {
    const reader = new SettingsReader({ HEALTH_READY_REQUIRES: 'database,disk' });
    readHealthSettings(reader);
    expect(reader.problems).toEqual([
      'HEALTH_READY_REQUIRES: must be a comma-separated list of database, migrations, redis, leader (unknown: disk)',
    ]);
  });

  it.skipIf(!usingPostgres())('PostgreSQL: the leader check sees the lock of any process', async () => {
    expect(await leaderLockHeld(database.db)).toBe(false);
    const coordinator = coordinatorFor(database, { retryMs: 100 });
    try {
      await coordinator.leadership();
      expect(await leaderLockHeld(database.db)).toBe(true);
    } finally {
      await coordinator.close();
    }
    await until(async () => !(await leaderLockHeld(database.db)), 5000, 'the lock to be released on close');
  });
});

/**
 * The composition root's probes, in real processes: an API process without a worker is not ready while
 * HEALTH_READY_REQUIRES=leader and no worker holds the lock; on PostgreSQL, `npm run worker` makes it ready.
 */
describe('readiness of npm start processes (HEALTH_READY_REQUIRES=leader, no worker in the API)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-ready-'));
  let postgres: { url: string; drop: () => Promise<void> } | null = null;
  let server: RunningServer;
  let exchangeUrl = '';
  const env = () => ({
    DATABASE_URL: postgres?.url ?? '',
    DATA_DIR: dataDir,
    ADMIN_TOKEN: adminToken,
    SECRETS_KEY: randomBytes(32).toString('hex'),
    DEMO_PARTNER: 'off',
    WIDGET_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    WEBHOOK_WORKER_ENABLED: 'false',
    HEALTH_READY_REQUIRES: 'migrations,leader',
  });

  beforeAll(async () => {
    postgres = usingPostgres() ? await createTestDatabase() : null;
    server = await startServerProcess(env(), 90_000);
    exchangeUrl = `http://127.0.0.1:${/0trace partner API listening on http:\/\/localhost:(\d+)/.exec(server.output())![1]}`;
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('503 on both ports without a leader; 200 once a worker holds the lock (PostgreSQL)', async () => {
    const gate = await send(server.baseUrl, 'GET', '/health/ready');
    expect(gate.status).toBe(503);
    expect(gate.body).toMatchObject({ status: 'unavailable', checks: { database: 'ok', leader: 'down' } });
    const trace = await send(exchangeUrl, 'GET', '/health/ready');
    expect(trace.status).toBe(503);
    expect(trace.body).toMatchObject({ code: 11, data: { checks: { leader: 'down' } } });
    expect((await send(server.baseUrl, 'GET', '/health/live')).status).toBe(200);
    expect((await send(exchangeUrl, 'GET', '/health/live')).status).toBe(200);
    if (!postgres) return; // PGlite: one process owns the data directory, so no worker beside it

    const worker = spawnScript('apps/server/src/worker-main.ts', { ...env(), LOG_LEVEL: 'info' });
    try {
      await until(
        async () => (await send(server.baseUrl, 'GET', '/health/ready')).status === 200,
        30_000,
        'the API to be ready once the worker leads',
      );
      const ready = await send(exchangeUrl, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.data.checks).toMatchObject({ database: 'ok', migrations: 'ok', leader: 'ok' });
    } finally {
      expect(await worker.stop('SIGTERM')).toBe(0);
    }
    // The worker released the lock when it stopped.
    await until(
      async () => (await send(server.baseUrl, 'GET', '/health/ready')).status === 503,
      10_000,
      'not ready again without a leader',
    );
  }, 90_000);
});
