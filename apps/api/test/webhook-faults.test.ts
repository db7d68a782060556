import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '@0bit/core/secret-box';
import { type OpenedDatabase, openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { type SpawnedScript, spawnScript } from '@0bit/testing/process';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPartner } from '../src/domain/partners.ts';
import { setEndpoint } from '../src/domain/webhook-endpoints.ts';

/**
 * Worker processes on one PostgreSQL, killed for real. PGlite runs the worker inside the API process, so
 * these need PostgreSQL (CI runs them in its PostgreSQL pass).
 */
describe.skipIf(!usingPostgres())('webhook worker faults (real processes on PostgreSQL)', () => {
  const secretsKey = randomBytes(32);
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-faults-'));
  let target: { url: string; drop: () => Promise<void> };
  let database: OpenedDatabase;
  let partnerId: string;
  let receiver: Receiver;
  const workers: SpawnedScript[] = [];

  const startWorker = () => {
    const worker = spawnScript('apps/server/src/worker-main.ts', {
      DATABASE_URL: target.url,
      SECRETS_KEY: secretsKey.toString('hex'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_CONCURRENCY: '16',
      WEBHOOK_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2',
    });
    workers.push(worker);
    return worker;
  };

  const uniqueEventIds = () => new Set(receiver.received.map((r) => String(r.headers['x-0bit-event-id'])));

  async function emitEvents(count: number): Promise<void> {
    await sql`
      INSERT INTO events (id, partner_id, mode, type, session_id, data)
      SELECT gen_random_uuid(), ${partnerId}, 'test', 'gate_session.created', NULL, json_build_object('n', g)
      FROM generate_series(1, ${count}) AS g`.execute(database.db);
  }

  async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    target = await createTestDatabase();
    database = await openDatabase({ databaseUrl: target.url, poolSize: 4 });
    await migrateToLatest(database.db);
    receiver = await startReceiver();
    const { partner } = await createPartner(database.db, { name: 'Faults' });
    partnerId = partner.id;
    await setEndpoint(database.db, new SecretBox(secretsKey), { partnerId, mode: 'test' }, receiver.url);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await receiver?.close();
    await database?.close();
    await target?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no event when the worker is killed with SIGKILL in the middle of 1,000 deliveries', async () => {
    receiver.received.length = 0;
    receiver.respond(() => ({ status: 200, delayMs: 5 }));
    const first = startWorker();
    await first.waitForOutput(/is the leader/);
    await emitEvents(1000);
    await until(() => receiver.received.length >= 300, 30_000, '300 deliveries before the kill');
    await first.stop('SIGKILL');
    const atKill = receiver.received.length;
    const second = startWorker();
    await second.waitForOutput(/is the leader/);
    await until(() => uniqueEventIds().size >= 1000, 60_000, 'all 1,000 events delivered after the restart');
    await until(
      async () => {
        const row = await database.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '!=', 'succeeded')
          .executeTakeFirstOrThrow();
        return Number(row.n) === 0;
      },
      20_000,
      'every delivery recorded as succeeded',
    );
    const duplicates = receiver.received.length - uniqueEventIds().size;
    console.log(
      `SIGKILL fault test: killed after ${atKill} requests; 1000/1000 events delivered; ${duplicates} duplicate deliveries (at-least-once, receivers dedupe on X-0bit-Event-Id)`,
    );
    expect(uniqueEventIds().size).toBe(1000);
    // Only attempts in flight when the process died can be repeated: at most the worker's concurrency.
    expect(duplicates).toBeLessThanOrEqual(16);
    await second.stop('SIGTERM');
  }, 120_000);

  it('elects one leader among two workers, and the other takes over within seconds when it dies', async () => {
    receiver.received.length = 0;
    receiver.respond(() => ({ status: 200 }));
    const a = startWorker();
    await a.waitForOutput(/is the leader/);
    const b = startWorker();
    await b.waitForOutput(/webhook worker started/);
    await new Promise((r) => setTimeout(r, 2500));
    expect(b.output()).not.toMatch(/is the leader/);
    await emitEvents(10);
    await until(() => uniqueEventIds().size >= 10, 10_000, 'delivery by the first leader');

    const killedAt = Date.now();
    await a.stop('SIGKILL');
    await b.waitForOutput(/is the leader/, 10_000);
    const takeoverMs = Date.now() - killedAt;
    console.log(`leader failover: the follower took over ${takeoverMs} ms after SIGKILL`);
    expect(takeoverMs).toBeLessThan(5000);
    await emitEvents(10);
    await until(() => uniqueEventIds().size >= 20, 10_000, 'delivery by the new leader');
    await b.stop('SIGTERM');
  }, 60_000);
});
