import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '@0bit/core/secret-box';
import { openDatabase } from '@0bit/db/connection';
import { send } from '@0bit/testing/http';
import { type RunningServer, startServerProcess } from '@0bit/testing/process';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import {
  postgresBinaries,
  type ScratchPostgres,
  startScratchPostgres,
  until,
} from '@0bit/testing/scratch-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEndpoint } from '../src/domain/webhook-endpoints.ts';
import { SPEC_CREATE_BODY } from './support/server.ts';

/**
 * The API process on a PostgreSQL cluster of the test's own, restarted (`pg_ctl restart -m fast`, which
 * terminates every connection with 57P01) while concurrent creates run. The process must stay up, answer 503
 * envelopes during the outage (never 500, never a dropped connection), recover by itself, and its webhook
 * worker must take the leader lock and LISTEN again.
 */
describe.skipIf(!postgresBinaries())('API process while its PostgreSQL restarts under load', () => {
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const secretsKey = randomBytes(32);
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-pg-restart-'));
  let postgres: ScratchPostgres;
  let server: RunningServer;
  let receiver: Receiver;
  let sk = '';

  const create = () =>
    send(server.baseUrl, 'POST', '/v1/gate_sessions', {
      headers: { authorization: `Bearer ${sk}`, 'idempotency-key': randomUUID() },
      body: SPEC_CREATE_BODY,
    });
  const deliveredFor = (sessionId: string) => receiver.received.some((r) => r.body.includes(sessionId));

  beforeAll(async () => {
    postgres = await startScratchPostgres();
    receiver = await startReceiver();
    server = await startServerProcess(
      {
        DATABASE_URL: postgres.url,
        DATABASE_POOL_SIZE: '8',
        REDIS_URL: '',
        RATE_LIMITS: 'off',
        ADMIN_TOKEN: adminToken,
        SECRETS_KEY: secretsKey.toString('hex'),
        DATA_DIR: dataDir,
        DEMO_PARTNER: 'off',
        WIDGET_ENABLED: 'false',
        LOG_LEVEL: 'warn',
        // Far longer than the test waits for a delivery: a prompt one proves the worker LISTENs again.
        WEBHOOK_POLL_INTERVAL_SECONDS: '120',
        WEBHOOK_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2',
      },
      90_000, // a loaded CI machine
    );
    const created = await send(server.baseUrl, 'POST', '/admin/partners', {
      headers: { authorization: `Bearer ${adminToken}` },
      body: { name: 'Restart', allowed_domains: ['https://partner.example'] },
    });
    expect(created.status).toBe(201);
    sk = created.body.keys.test.secret_key;
    const database = await openDatabase({ databaseUrl: postgres.url, poolSize: 1 });
    await setEndpoint(
      database.db,
      new SecretBox(secretsKey),
      { partnerId: created.body.partner.id, mode: 'test' },
      receiver.url,
    );
    await database.close();
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await receiver?.close();
    await postgres?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 envelopes during the restart, stays up, recovers, and delivers webhooks again', async () => {
    const first = await create();
    expect(first.status).toBe(201);
    await until(() => deliveredFor(first.body.id), 15_000, 'a webhook before the restart');

    const answers: Array<{ status: number; body: unknown } | { failed: string }> = [];
    let stopLoad = false;
    const creator = async () => {
      while (!stopLoad) {
        try {
          const res = await Promise.race([
            create(),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error('no answer within 15 s')), 15_000),
            ),
          ]);
          answers.push({ status: res.status, body: res.body });
        } catch (error) {
          // The API dropped the connection or is gone: what a crash looks like to a client.
          answers.push({ failed: (error as Error).message });
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const creators = Array.from({ length: 8 }, creator);
    try {
      await until(() => answers.length >= 40, 20_000, '40 creates before the restart');
      await postgres.restart();
      const restartedAt = answers.length;
      // Recovered: a stretch of creates after the restart all succeed.
      await until(
        () =>
          answers.length - restartedAt >= 20 &&
          answers.slice(-10).every((a) => 'status' in a && a.status === 201),
        30_000,
        `10 creates in a row answered 201 after the restart (process exit code ${server.child.exitCode}):\n${server.output().slice(-3000)}`,
      );
    } finally {
      stopLoad = true;
      await Promise.all(creators);
    }

    const counts = new Map<string, number>();
    for (const a of answers) {
      const k = 'status' in a ? String(a.status) : 'dropped';
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    console.log(`PostgreSQL restart under load: answers ${JSON.stringify(Object.fromEntries(counts))}`);
    expect(server.child.exitCode, server.output()).toBeNull();
    const failed = answers.filter((a) => 'failed' in a);
    expect(failed, `connections dropped:\n${server.output().slice(-3000)}`).toEqual([]);
    const statuses = answers.map((a) => ('status' in a ? a.status : 0));
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    for (const a of answers)
      if ('status' in a && a.status === 503)
        expect(a.body).toMatchObject({
          statusCode: 503,
          error: 'Service Unavailable',
          message: expect.any(String),
        });

    expect((await send(server.baseUrl, 'GET', '/health')).status).toBe(200);

    // The worker is the leader again and listens: one event after recovery, then a second one that only a
    // NOTIFY (not the 120 s poll) can bring out promptly.
    const after = await create();
    expect(after.status).toBe(201);
    await until(
      () => deliveredFor(after.body.id),
      20_000,
      'a webhook for a session created after the restart',
    );
    expect(server.output()).toMatch(/lost its PostgreSQL connection and the leader lock/);
    await until(
      () => /leader lock and LISTEN re-taken/.test(server.output()),
      20_000,
      'the coordinator logs that it is the leader again',
    );
    const next = await create();
    expect(next.status).toBe(201);
    await until(() => deliveredFor(next.body.id), 10_000, 'a webhook woken by NOTIFY after the restart');
  }, 90_000);

  it('answers 503 (with /health 503) while PostgreSQL is stopped, and recovers when it is back', async () => {
    await postgres.stop();
    try {
      const during = await create();
      expect(during.status).toBe(503);
      expect(during.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(during.body.message).toMatch(/retry/);
      expect(during.headers['retry-after']).toBeDefined();
      const health = await send(server.baseUrl, 'GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ statusCode: 503, status: 'unavailable' });
    } finally {
      await postgres.start();
    }
    let last = 0;
    await until(
      async () => {
        last = (await create()).status;
        return last === 201;
      },
      20_000,
      'a create answered 201 after PostgreSQL started again',
    );
    expect((await send(server.baseUrl, 'GET', '/health')).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});
