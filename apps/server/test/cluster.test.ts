import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GateClient } from '@0bit/gate';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { nodeArgsOfScript, runCommand, type SpawnedScript, spawnCommand } from '@0bit/testing/process';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run cluster` with N = 2 API instances and M = 2 webhook workers on a fresh database: creates (each with
 * its own Idempotency-Key, retried by the real Node SDK with the same key) and sandbox completions go through
 * the front; one API instance and the leading worker are SIGKILLed mid-load. Every create is answered once,
 * every event reaches the receiver, duplicates are only attempts that were in flight at the kill, and the
 * supervisor starts both again.
 */
const reason = 'npm run cluster needs PostgreSQL and Redis (PGlite allows one process per data directory)';
const enabled = usingPostgres() && Boolean(process.env.REDIS_URL);

// Ports of this helper's range (docs/testing.md: fixed ports, the cluster needs consecutive ones).
const PORTS = { front: 18340, apiBase: 18341, exchange: 18350, widget: 18351, hub: 18352 };
const CREATES = 36;
const CONCURRENCY = 6;
const RECEIVER_DELAY_MS = 250;

interface Pids {
  [name: string]: number[];
}

/** `cluster  | api-1 started (pid 123)` and `api-1 restarted (pid 456)`: every pid each child had. */
function childPids(output: string): Pids {
  const pids: Pids = {};
  for (const m of output.matchAll(/^cluster {2}\| (\S+) (?:started|restarted) \(pid (\d+)\)/gm))
    pids[m[1]!] = [...(pids[m[1]!] ?? []), Number(m[2])];
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(!enabled)(
  `npm run cluster (N = 2 API, M = 2 workers)${enabled ? '' : ` — skipped: ${reason}`}`,
  () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let receiver: Receiver;
    let cluster: SpawnedScript | undefined;
    let dataDir: string;
    const adminToken = `adm_${randomBytes(20).toString('hex')}`;
    const front = `http://127.0.0.1:${PORTS.front}`;

    beforeAll(async () => {
      database = await createTestDatabase({ prefix: 'cluster' });
      receiver = await startReceiver();
      dataDir = mkdtempSync(join(tmpdir(), 'cluster-test-'));
    });

    afterAll(async () => {
      // Whatever happened: no process of the cluster outlives the test.
      if (cluster) {
        const pids = Object.values(childPids(cluster.output())).flat();
        await Promise.race([cluster.stop('SIGKILL'), sleep(5000)]);
        for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      await receiver?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves creates and webhooks through both instances, survives killing one API and one worker, restarts them', async () => {
      const began = Date.now();
      receiver.respond(() => ({ status: 200, delayMs: RECEIVER_DELAY_MS }));
      cluster = spawnCommand(
        process.execPath,
        [
          ...nodeArgsOfScript('cluster'),
          ...['--api-instances', '2', '--workers', '2', '--api-base-port', String(PORTS.apiBase)],
        ],
        {
          DATABASE_URL: database.url,
          REDIS_URL: process.env.REDIS_URL,
          REDIS_KEY_PREFIX: `cluster-test-${randomBytes(4).toString('hex')}:`,
          ADMIN_TOKEN: adminToken,
          SECRETS_KEY: randomBytes(32).toString('hex'),
          NODE_ENV: 'development',
          DATA_DIR: dataDir,
          HOST: '127.0.0.1',
          PORT: String(PORTS.front),
          EXCHANGE_PORT: String(PORTS.exchange),
          WIDGET_PORT: String(PORTS.widget),
          HUB_PORT: String(PORTS.hub),
          LOG_LEVEL: 'info',
          DEMO_PARTNER: 'off',
          // One partner key sends every create: the per-key limit is not what this test is about.
          RATE_LIMITS: 'off',
          WEBHOOK_ALLOW_LOOPBACK: 'true',
          WEBHOOK_TIMEOUT_MS: '5000',
          WEBHOOK_POLL_INTERVAL_SECONDS: '1',
          WEBHOOK_RETRY_SCHEDULE: '0.5,1,1,2,2,3,3,4,4',
          CLUSTER_RESTART_BACKOFF_MS: '200',
          CLUSTER_STOP_TIMEOUT_SECONDS: '20',
        },
      );
      await cluster.waitForOutput(/^cluster {2}\| ready:/m, 60_000);
      const output = cluster.output;
      // Migrated once, by the supervisor, before any instance started.
      expect(output().match(/^cluster {2}\| migrated: 0001_initial/gm)).toHaveLength(1);
      expect(output().indexOf('cluster  | migrated:')).toBeLessThan(output().indexOf('api-1 started'));

      // The other parts answer on their own ports.
      expect((await fetch(`http://127.0.0.1:${PORTS.exchange}/api/v1/openapi.json`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${PORTS.widget}/`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${PORTS.hub}/sign-in`)).status).toBe(200);

      // A partner, onboarded and pointed at the receiver through the front.
      const created = await fetch(`${front}/admin/partners`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Cluster partner', allowed_domains: ['https://partner.example'] }),
      });
      expect(created.status).toBe(201);
      const onboarded = (await created.json()) as {
        id?: string;
        partner?: { id: string };
        keys: { test: { secret_key: string } };
      };
      const partner = { id: onboarded.partner?.id ?? onboarded.id! };
      const secretKey = onboarded.keys.test.secret_key;
      const endpoint = await fetch(`${front}/portal/webhook-endpoint`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${secretKey}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ url: receiver.url }),
      });
      expect(endpoint.status).toBe(200);

      // The real SDK: retries connection errors, 502 and 503 with the same Idempotency-Key.
      // Counted, not changed: how many attempts the front answered 502 or could not answer at all.
      let failedAttempts = 0;
      const counted: typeof fetch = (input, init) =>
        fetch(input, init).then(
          (response) => {
            if (response.status === 502) failedAttempts++;
            return response;
          },
          (error) => {
            failedAttempts++;
            throw error;
          },
        );
      const gate = new GateClient({
        apiKey: secretKey,
        baseUrl: front,
        maxRetries: 8,
        timeoutMs: 10_000,
        fetch: counted,
      });
      const keys = Array.from({ length: CREATES }, () => randomUUID());
      const completeKeys = Array.from({ length: CREATES }, () => randomUUID());
      const answered = new Map<string, string>();
      let done = 0;
      const task = async (i: number) => {
        const session = await gate.sessions.create(
          {
            amount: '100.00',
            currency: 'EUR',
            return_url: 'https://partner.example/complete',
            cancel_url: 'https://partner.example/cancel',
            target_token: 'USDT',
            target_network: 'arbitrum',
            flow: 'on_ramp',
            user_reference: `cluster_${i}`,
          },
          { idempotencyKey: keys[i]! },
        );
        answered.set(keys[i]!, session.id);
        await gate.testHelpers.sessions.complete(session.id, { idempotencyKey: completeKeys[i]! });
        done++;
      };
      const pids = () => childPids(output());
      const leaderPid = () => {
        const lines = output().match(/^worker-\d +\| .*"webhook worker is the leader.*$/gm) ?? [];
        const last = lines.at(-1);
        return last ? Number(/"pid":(\d+)/.exec(last)?.[1]) : undefined;
      };

      let apiKilledAt = 0;
      let workerKilledAt = 0;
      let killedApi = 0;
      let killedWorker = 0;
      const killer = (async () => {
        await until('a third of the creates', 30_000, () => (done >= CREATES / 3 ? true : undefined));
        killedApi = pids()['api-1']!.at(-1)!;
        apiKilledAt = Date.now();
        process.kill(killedApi, 'SIGKILL');
        // The worker that dispatches: killing a follower would prove nothing.
        killedWorker = await until('the leader worker', 10_000, leaderPid);
        await until('attempts in flight', 10_000, () =>
          receiver.received.some((r) => r.at > Date.now() - RECEIVER_DELAY_MS) ? true : undefined,
        );
        workerKilledAt = Date.now();
        process.kill(killedWorker, 'SIGKILL');
      })();
      const running = new Set<Promise<void>>();
      for (let i = 0; i < CREATES; i++) {
        while (running.size >= CONCURRENCY) await Promise.race(running);
        const p: Promise<void> = task(i).finally(() => running.delete(p));
        running.add(p);
        await sleep(60);
      }
      await Promise.all(running);
      await killer;

      // Every accepted create answered once: each key has exactly one session, no session without a key,
      // though the kill made some attempts fail and the SDK retry them with the same key.
      expect(answered.size).toBe(CREATES);
      expect(failedAttempts).toBeGreaterThan(0);
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        const sessions = await db.query<{ id: string }>(
          'SELECT id FROM gate_sessions WHERE partner_id = $1',
          [partner.id],
        );
        expect(sessions.rows.map((r) => r.id).sort()).toEqual([...answered.values()].sort());
        expect(new Set(answered.values()).size).toBe(CREATES);

        // Both instances served the load (each logs the creates it answered).
        for (const api of ['api-1', 'api-2'])
          expect(
            output().match(new RegExp(`^${api} +\\|.*"url":"/v1/gate_sessions"`, 'gm'))?.length ?? 0,
          ).toBeGreaterThan(0);

        // The supervisor started both killed children again.
        const restartedApi = await until('api-1 restarted', 20_000, () => pids()['api-1']?.[1]);
        expect(output()).toMatch(/api-1 \(pid \d+\) exited unexpectedly \(code null, signal SIGKILL\)/);
        const killedName = Object.entries(pids()).find(([, list]) => list.includes(killedWorker))![0];
        const restartedWorker = await until(`${killedName} restarted`, 20_000, () => pids()[killedName]?.[1]);
        expect(restartedApi).not.toBe(killedApi);
        expect(alive(restartedWorker)).toBe(true);
        await until('api-1 answering again', 30_000, async () => {
          const r = await fetch(`http://127.0.0.1:${PORTS.apiBase}/health`).catch(() => null);
          return r?.status === 200 ? true : undefined;
        });

        // Every committed event delivered (a 2xx from the receiver), at least once.
        const events = await db.query<{ id: string }>('SELECT id FROM events WHERE partner_id = $1', [
          partner.id,
        ]);
        expect(events.rows.length).toBeGreaterThanOrEqual(CREATES * 2);
        const eventIds = events.rows.map((r) => r.id);
        const receipts = () => {
          const byEvent = new Map<string, number[]>();
          for (const r of receiver.received) {
            const id = r.headers['x-0bit-event-id'] as string;
            byEvent.set(id, [...(byEvent.get(id) ?? []), r.at]);
          }
          return byEvent;
        };
        await until('every event delivered', 30_000, () =>
          eventIds.every((id) => receipts().has(id)) ? true : undefined,
        );
        // ...and every delivery settled: attempts the killed worker had claimed are sent again once their
        // claim expires (the lease), by the worker that leads now.
        await until('no delivery left pending or claimed', 40_000, async () => {
          const open = await db.query(
            "SELECT 1 FROM webhook_deliveries WHERE partner_id = $1 AND status <> 'succeeded'",
            [partner.id],
          );
          return open.rowCount === 0 ? true : undefined;
        });
        // Duplicates only for attempts in flight at the worker's kill: first sent before it, and its answer
        // (RECEIVER_DELAY_MS later) not yet recorded by the killed worker.
        const duplicated = [...receipts()].filter(([, times]) => times.length > 1);
        for (const [id, times] of duplicated) {
          const first = Math.min(...times);
          expect({ id, first: first <= workerKilledAt }).toEqual({ id, first: true });
          expect(workerKilledAt - first).toBeLessThan(RECEIVER_DELAY_MS + 3000);
          expect(times).toHaveLength(2);
        }
        console.log(
          `cluster: ${CREATES} creates (${failedAttempts} attempts retried), ${eventIds.length} events, ${duplicated.length} duplicated (in flight at the worker kill), API killed at +${((apiKilledAt - began) / 1000).toFixed(1)} s, worker at +${((workerKilledAt - began) / 1000).toFixed(1)} s, ${((Date.now() - began) / 1000).toFixed(1)} s so far`,
        );
      } finally {
        await db.end();
      }

      // SIGTERM: the supervisor forwards it, waits for every child and exits 0.
      const all = Object.values(pids()).flat();
      const code = await Promise.race([cluster.stop('SIGTERM'), sleep(25_000).then(() => 'timeout')]);
      expect(code).toBe(0);
      expect(all.filter(alive)).toEqual([]);
    }, 90_000);
  },
);

describe('npm run cluster refuses what it cannot run', () => {
  it('without PostgreSQL and Redis, or with two parts on one port, it names every problem and exits 2', async () => {
    const refused = await runCommand(
      process.execPath,
      [...nodeArgsOfScript('cluster'), '--api-instances', '3'],
      {
        env: {
          DATABASE_URL: '',
          REDIS_URL: '',
          PORT: '18360',
          CLUSTER_API_BASE_PORT: '18361',
          EXCHANGE_PORT: '18363',
        },
      },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('npm run cluster refused to start');
    expect(refused.stderr).toContain('npm run cluster needs PostgreSQL: set DATABASE_URL');
    expect(refused.stderr).toContain('npm run cluster needs Redis: set REDIS_URL');
    expect(refused.stderr).toContain(
      'API instance 3 (CLUSTER_API_BASE_PORT+2) and EXCHANGE_PORT (0trace) are both port 18363',
    );
    expect(refused.stdout).toBe('');
  });
});
