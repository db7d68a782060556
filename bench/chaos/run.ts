/**
 * `npm run chaos`: the fault matrix. Starts its own PostgreSQL and Redis in a scratch directory, migrates,
 * runs the platform's real processes (API as `npm start` runs it, webhook worker as `npm run worker`), and
 * under a bounded load injects one fault per scenario. For each it prints events committed (rows in
 * `events`) against events delivered (unique ids a verifying receiver answered 2xx), duplicates, lost
 * (must be 0), the API's recovery time and any process that exited without being asked to.
 * Exit code 1 on any loss, bad signature, unexpected exit or scenario that did not finish in its time.
 *
 *   npm run chaos               all six scenarios (< 5 min)
 *   npm run chaos -- --short    worker SIGKILL, Redis stop, PostgreSQL restart with smaller counts (< 90 s)
 *                               (also CHAOS_SHORT=1); --only=<key,…> picks scenarios by key
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@0bit/testing/http';
import { nodeArgsOfScript } from '@0bit/testing/process';
import {
  type ScratchPostgres,
  type ScratchRedis,
  startScratchPostgres,
  startScratchRedis,
} from '@0bit/testing/scratch-services';
import pg from 'pg';
import {
  ALLOWED_DOMAIN,
  type LoadPartner,
  type RequestRecord,
  recoveryMs,
  request,
  startLoad,
} from './load.ts';
import { type Crash, PlatformProcess, ROOT, run, sleep } from './processes.ts';
import { type ChaosReceiver, type PartnerTally, startReceiver } from './receiver.ts';

const argv = process.argv.slice(2);
const SHORT = argv.includes('--short') || process.env.CHAOS_SHORT === '1';
const ONLY = argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const TOTAL_DEADLINE_MS = Number(process.env.CHAOS_DEADLINE_SECONDS ?? (SHORT ? 120 : 290)) * 1000;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(`[chaos ${elapsed()}] ${line}`);

interface Context {
  pg: ScratchPostgres;
  redis: ScratchRedis;
  receiver: ChaosReceiver;
  apis: PlatformProcess[];
  workers: PlatformProcess[];
  apiUrl(): string;
  /** Events committed minus delivered for the scenario's partners, right now. */
  backlog(): Promise<{ committed: number; delivered: number }>;
}

interface Scenario {
  key: string;
  title: string;
  inShort: boolean;
  apis: number;
  workers: number;
  /** Slower receiver answers, so a backlog builds up. */
  receiverDelayMs?: number;
  /** Runs before the load starts. */
  prepare?(ctx: Context): Promise<void>;
  /** Injects the fault; returns when it happened (the recovery clock starts there). */
  fault(ctx: Context): Promise<number>;
  /** Process the fault removes on purpose and does not bring back (not a crash). */
  note?: string;
}

const SIZE = SHORT
  ? { partners: 10, createsPerPartner: 8, loadMs: 7000, faultAtMs: 2500, drainMs: 20_000, backlog: 25 }
  : { partners: 24, createsPerPartner: 10, loadMs: 12_000, faultAtMs: 4000, drainMs: 40_000, backlog: 60 };

const SCENARIOS: Scenario[] = [
  {
    key: 'worker-kill',
    title: 'worker SIGKILL mid-backlog, restarted',
    inShort: true,
    apis: 1,
    workers: 1,
    receiverDelayMs: 100,
    // The worker is stopped (gracefully) while the load commits events, so a real backlog exists when it
    // starts again; it is killed once it has delivered part of it.
    prepare: async (ctx) => {
      await ctx.workers[0]!.stop();
      say(`   ${ctx.workers[0]!.name} stopped (SIGTERM) so a backlog builds`);
    },
    fault: async (ctx) => {
      const worker = ctx.workers[0]!;
      const buildUntil = Date.now() + SIZE.loadMs;
      while ((await ctx.backlog()).committed < SIZE.backlog * 2 && Date.now() < buildUntil) await sleep(200);
      await worker.start();
      const drainUntil = Date.now() + 15_000;
      for (;;) {
        const { committed, delivered } = await ctx.backlog();
        if ((delivered >= 10 && committed - delivered >= SIZE.backlog) || Date.now() > drainUntil) break;
        await sleep(50);
      }
      const { committed, delivered } = await ctx.backlog();
      say(`   SIGKILL ${worker.name} (pid ${worker.pid}) at ${delivered}/${committed} delivered`);
      const at = Date.now();
      await worker.kill('SIGKILL');
      await sleep(1000);
      await worker.start();
      say(`   ${worker.name} restarted`);
      return at;
    },
  },
  {
    key: 'api-kill',
    title: 'API SIGKILL under load, restarted',
    inShort: false,
    apis: 1,
    workers: 1,
    fault: async (ctx) => {
      await sleep(SIZE.faultAtMs);
      say(`   SIGKILL ${ctx.apis[0]!.name} (pid ${ctx.apis[0]!.pid})`);
      const at = Date.now();
      await ctx.apis[0]!.kill('SIGKILL');
      await ctx.apis[0]!.start();
      say(`   ${ctx.apis[0]!.name} restarted`);
      return at;
    },
  },
  {
    key: 'pg-restart',
    title: 'PostgreSQL restart (pg_ctl restart -m fast) under load',
    inShort: true,
    apis: 1,
    workers: 1,
    fault: async (ctx) => {
      await sleep(SIZE.faultAtMs);
      say('   pg_ctl restart -m fast');
      const at = Date.now();
      await ctx.pg.restart();
      say(`   PostgreSQL back after ${Date.now() - at} ms`);
      return at;
    },
  },
  {
    key: 'redis-stop',
    title: 'Redis stopped for a few seconds, then started',
    inShort: true,
    apis: 1,
    workers: 1,
    fault: async (ctx) => {
      await sleep(SIZE.faultAtMs);
      say('   Redis stopped');
      const at = Date.now();
      await ctx.redis.stop();
      await sleep(1000);
      // For the record (not judged here): what /health says while Redis is down.
      const health = await request(ctx.apiUrl(), 'GET', '/health', {}, undefined, 3000);
      say(`   /health during the outage: ${health.status} ${JSON.stringify(health.body)}`);
      await sleep(SHORT ? 1500 : 3000);
      await ctx.redis.start();
      say(`   Redis started again after ${Date.now() - at} ms`);
      return at;
    },
  },
  {
    key: 'hanging-receiver',
    title: 'receiver accepts and never answers for 6 s',
    inShort: false,
    apis: 1,
    workers: 1,
    fault: async (ctx) => {
      await sleep(SIZE.faultAtMs);
      say('   receiver hangs for 6000 ms');
      const at = Date.now();
      ctx.receiver.hang(6000);
      return at;
    },
  },
  {
    key: 'multi',
    title: 'two API + two worker processes; leader worker SIGKILL',
    inShort: false,
    apis: 2,
    workers: 2,
    note: 'the killed leader stays down; the follower takes over',
    fault: async (ctx) => {
      await sleep(SIZE.faultAtMs);
      const leader = ctx.workers.filter((w) => w.alive).find((w) => /is the leader/.test(w.printed()));
      if (!leader) throw new Error('no worker says it is the leader');
      say(`   SIGKILL the leader ${leader.name} (pid ${leader.pid})`);
      const at = Date.now();
      await leader.kill('SIGKILL');
      return at;
    },
  },
];

interface Outcome {
  scenario: string;
  title: string;
  committed: number;
  delivered: number;
  duplicates: number;
  lost: number;
  deadLettered: number;
  badSignatures: number;
  recoveryMs: number | null;
  /** From the fault to the arrival of the first request, sent after it, that delivered an event. */
  deliveryResumeMs: number | null;
  /** Requests the hanging receiver accepted and never answered. */
  unanswered: number;
  requests: number;
  failedRequests: number;
  /** Failed requests by HTTP status ("none" = no answer: refused, reset, timed out). */
  failuresByStatus: Record<string, number>;
  crashes: Crash[];
  error: string | null;
  ok: boolean;
}

/** A short-lived connection per query: the harness must not be the process a restart takes down. */
async function query<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

async function committedIds(url: string, partnerIds: string[]): Promise<string[]> {
  const rows = await query<{ id: string }>(
    url,
    'SELECT id::text AS id FROM events WHERE partner_id::text = ANY($1::text[])',
    [partnerIds],
  );
  return rows.map((r) => r.id);
}

/** mkdtemp under /tmp/chaos/ for the API processes' data directories (PostgreSQL and Redis have their own). */
function makeScratchDir(): string {
  mkdirSync('/tmp/chaos', { recursive: true });
  return mkdtempSync('/tmp/chaos/run-');
}

const crashes: Crash[] = [];
let cleanup: (() => Promise<void>) | null = null;

async function main(): Promise<number> {
  const scratch = makeScratchDir();
  let pgServer: ScratchPostgres | null = null;
  let redis: ScratchRedis | null = null;
  let receiver: ChaosReceiver | null = null;
  const processes: PlatformProcess[] = [];
  let tornDown: Promise<void> | null = null;
  cleanup = () => {
    tornDown ??= (async () => {
      PlatformProcess.shuttingDown = true;
      await Promise.all(processes.map((p) => p.kill('SIGKILL').catch(() => {})));
      await receiver?.close().catch(() => {});
      await pgServer?.remove().catch(() => {});
      await redis?.remove().catch(() => {});
      rmSync(scratch, { recursive: true, force: true });
      say(`torn down: processes stopped, PostgreSQL and Redis stopped, ${scratch} removed`);
    })();
    return tornDown;
  };

  const outcomes: Outcome[] = [];
  try {
    say(`scratch directory ${scratch}${SHORT ? ' (short mode)' : ''}`);
    [pgServer, redis, receiver] = await Promise.all([
      // Several pooled API and worker processes at once: more than the default 100 connections.
      startScratchPostgres({ maxConnections: 120 }),
      startScratchRedis(),
      startReceiver(),
    ]);
    say(
      `PostgreSQL on 127.0.0.1:${pgServer.port}, Redis on 127.0.0.1:${redis.port}, receiver ${receiver.baseUrl}`,
    );
    const migrated = await run(process.execPath, nodeArgsOfScript('migrate'), 60_000, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: pgServer.url },
    });
    if (migrated.code !== 0) throw new Error(`npm run migrate failed:\n${migrated.output}`);
    say(`migrated: ${migrated.output.trim().split('\n').pop()}`);

    // `npm start` builds the SDK and widget first; the API imports the SDK's dist (the example shop).
    if (!existsSync(join(ROOT, 'node_modules/@0bit/gate/dist/esm/node/index.js'))) {
      say('building @0bit/gate (npm run build), as npm start does');
      const built = await run('npm', ['run', '-s', 'build'], 180_000, { cwd: ROOT });
      if (built.code !== 0) throw new Error(`npm run build failed:\n${built.output}`);
    }

    const adminToken = `adm_${randomBytes(20).toString('hex')}`;
    const common = {
      DATABASE_URL: pgServer.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'chaos:',
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ADMIN_TOKEN: adminToken,
      HOST: '127.0.0.1',
      DEMO_PARTNER: 'off',
      RATE_LIMITS: 'on',
      NODE_ENV: 'development',
      // The receiver is on 127.0.0.1: test-mode webhooks to loopback are a local-development allowance.
      WEBHOOK_ALLOW_LOOPBACK: 'true',
    };
    const apiPorts: number[] = [];
    const apiUrls = () => apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const apis: PlatformProcess[] = [];
    const workers: PlatformProcess[] = [];
    const onCrash = (crash: Crash) => {
      crashes.push(crash);
      say(
        `!! ${crash.process} EXITED UNEXPECTEDLY (code ${crash.code}, signal ${crash.signal}); last output:`,
      );
      for (const line of PlatformProcess.reason(crash.tail)) console.log(`     | ${line}`);
    };
    const addApi = async (n: number) => {
      const port = await freePort();
      const dataDir = join(scratch, `api-${n}`);
      mkdirSync(dataDir, { recursive: true });
      const api = new PlatformProcess(
        `api-${n}`,
        'api',
        {
          ...common,
          PORT: String(port),
          EXCHANGE_PORT: '0',
          WIDGET_ENABLED: 'false',
          WEBHOOK_WORKER_ENABLED: 'false',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
        },
        onCrash,
        say,
      );
      processes.push(api);
      await api.start();
      apis.push(api);
      apiPorts.push(port);
      say(`   ${api.name} listening on 127.0.0.1:${port} (pid ${api.pid})`);
    };
    const addWorker = async (n: number) => {
      const dataDir = join(scratch, `worker-${n}`);
      mkdirSync(dataDir, { recursive: true });
      const worker = new PlatformProcess(
        `worker-${n}`,
        'worker',
        {
          ...common,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          WEBHOOK_TIMEOUT_MS: '1500',
          WEBHOOK_CONCURRENCY: '16',
          WEBHOOK_POLL_INTERVAL_SECONDS: '1',
          // ~20 s of retries: longer than any outage here, so "lost" means lost, not dead-lettered early.
          WEBHOOK_RETRY_SCHEDULE: '0.5,1,1,2,2,3,3,4,4',
        },
        onCrash,
        say,
      );
      processes.push(worker);
      await worker.start();
      workers.push(worker);
      say(`   ${worker.name} started (pid ${worker.pid})`);
    };

    const scenarios = SCENARIOS.filter((s) => (ONLY ? ONLY.includes(s.key) : !SHORT || s.inShort));
    let partnerSerial = 0;
    for (const scenario of scenarios) {
      const remaining = TOTAL_DEADLINE_MS - (Date.now() - started);
      if (remaining < 15_000) {
        outcomes.push(skipped(scenario, 'not started: the run is out of time'));
        continue;
      }
      say(`── ${scenario.key}: ${scenario.title}`);
      const scenarioStart = Date.now();
      const scenarioDeadline = Math.min(
        scenarioStart + SIZE.loadMs + SIZE.faultAtMs * 2 + SIZE.drainMs + 45_000,
        started + TOTAL_DEADLINE_MS - 5000,
      );
      let load: ReturnType<typeof startLoad> | null = null;
      try {
        const outcome = await withDeadline(scenarioDeadline, async (): Promise<Outcome> => {
          // Topology: bring up what this scenario needs (processes a previous fault left down come back).
          for (const p of [...apis, ...workers]) await p.settled();
          for (const w of workers) if (!w.alive) await w.start();
          for (const a of apis) if (!a.alive) await a.start();
          // Started side by side: on a busy machine each start is seconds of TypeScript loading.
          const starts: Promise<void>[] = [];
          for (let n = apis.length; n < scenario.apis; n++) starts.push(addApi(n + 1));
          for (let n = workers.length; n < scenario.workers; n++) starts.push(addWorker(n + 1));
          await Promise.all(starts);
          const setupAt = Date.now();

          // Partners of this scenario only, so its counts are its own.
          const partners: LoadPartner[] = [];
          for (let i = 0; i < SIZE.partners; i += 4)
            partners.push(
              ...(await Promise.all(
                Array.from({ length: Math.min(4, SIZE.partners - i) }, () =>
                  makePartner(apiUrls()[0]!, adminToken, receiver!, ++partnerSerial),
                ),
              )),
            );
          say(
            `   processes up in ${setupAt - scenarioStart} ms, ${partners.length} partners in ${Date.now() - setupAt} ms`,
          );
          const ids = partners.map((p) => p.id);
          const deliveredIds = () => {
            const set = new Set<string>();
            for (const id of ids) for (const e of receiver!.tally(id).delivered.keys()) set.add(e);
            return set;
          };
          const ctx: Context = {
            pg: pgServer!,
            redis: redis!,
            receiver: receiver!,
            apis,
            workers,
            apiUrl: () => apiUrls()[0]!,
            backlog: async () => {
              const committed = await committedIds(pgServer!.url, ids).catch(() => []);
              return { committed: committed.length, delivered: deliveredIds().size };
            },
          };
          receiver!.setDelay(scenario.receiverDelayMs ?? 0);
          await scenario.prepare?.(ctx);
          load = startLoad({
            apis: apiUrls,
            partners,
            createsPerPartner: SIZE.createsPerPartner,
            durationMs: SIZE.loadMs,
            concurrency: 16,
            probeEveryMs: 200,
            requestTimeoutMs: 5000,
          });
          const faultAt = await scenario.fault(ctx);
          await load.done;
          receiver!.setDelay(0);

          // The prober keeps running: wait (bounded) for the API's first success after the fault.
          const records = load.records;
          const probeUntil = Math.min(scenarioDeadline - SIZE.drainMs / 2, Date.now() + 30_000);
          while (recoveryMs(records, faultAt) === null && Date.now() < probeUntil) await sleep(100);
          await load.stop();
          const recovery = recoveryMs(records, faultAt);

          // Drain: every committed event must reach the receiver.
          const drainUntil = Math.min(Date.now() + SIZE.drainMs, scenarioDeadline - 2000);
          let committed: string[] = [];
          let missing: string[] = [];
          for (;;) {
            committed = await committedIds(pgServer!.url, ids).catch(() => committed);
            const delivered = deliveredIds();
            missing = committed.filter((id) => !delivered.has(id));
            if (missing.length === 0 || Date.now() > drainUntil) break;
            await sleep(500);
          }
          const failedRows = await query<{ n: string }>(
            pgServer!.url,
            "SELECT count(*)::text AS n FROM webhook_deliveries WHERE partner_id::text = ANY($1::text[]) AND status = 'failed'",
            [ids],
          ).catch(() => [{ n: '?' }]);
          const tallies = ids.map((id) => receiver!.tally(id));
          const scenarioCrashes = crashes.filter((c) => c.at >= scenarioStart);
          const badSignatures = tallies.reduce((n, t) => n + t.badSignatures, 0);
          const outcome: Outcome = {
            scenario: scenario.key,
            title: scenario.title,
            committed: committed.length,
            delivered: deliveredIds().size,
            duplicates: tallies.reduce((n, t) => n + t.duplicates, 0),
            lost: missing.length,
            deadLettered: Number(failedRows[0]?.n ?? 0),
            badSignatures,
            recoveryMs: recovery,
            deliveryResumeMs: firstAfter(tallies, faultAt),
            unanswered: tallies.reduce((n, t) => n + t.unanswered, 0),
            requests: records.length,
            failedRequests: records.filter((r) => r.status === 0 || r.status >= 500).length,
            failuresByStatus: byStatus(records),
            crashes: scenarioCrashes,
            error: null,
            ok: missing.length === 0 && scenarioCrashes.length === 0 && badSignatures === 0,
          };
          if (committed.length === 0) {
            outcome.ok = false;
            outcome.error = 'no event was committed: the load did not reach the API';
          }
          say(
            `   ${outcome.ok ? 'ok' : 'FAILED'}: committed ${outcome.committed}, delivered ${outcome.delivered}, duplicates ${outcome.duplicates}, lost ${outcome.lost}, API recovery ${fmtMs(outcome.recoveryMs)}, deliveries resume ${fmtMs(outcome.deliveryResumeMs)}${outcome.unanswered > 0 ? `, ${outcome.unanswered} requests held unanswered` : ''}, ${outcome.failedRequests}/${outcome.requests} requests failed${fmtFailures(outcome.failuresByStatus)}, unexpected exits ${scenarioCrashes.length}`,
          );
          if (missing.length > 0) say(`   lost event ids (first 5): ${missing.slice(0, 5).join(', ')}`);
          return outcome;
        });
        outcomes.push(outcome);
      } catch (error) {
        await (load as ReturnType<typeof startLoad> | null)?.stop();
        const message = error instanceof Error ? error.message : String(error);
        say(`   FAILED: ${message.split('\n')[0]}`);
        outcomes.push({
          ...skipped(scenario, message),
          crashes: crashes.filter((c) => c.at >= scenarioStart),
        });
      }
    }
  } finally {
    printTable(outcomes);
    await cleanup();
  }
  const failed = outcomes.filter((o) => !o.ok);
  console.log(
    `CHAOS_RESULT ${JSON.stringify({
      short: SHORT,
      ok: failed.length === 0,
      lost: outcomes.reduce((n, o) => n + o.lost, 0),
      crashes: outcomes.reduce((n, o) => n + o.crashes.length, 0),
      scenarios: outcomes.map(({ crashes: c, ...o }) => ({
        ...o,
        crashes: c.map((x) => ({
          process: x.process,
          code: x.code,
          signal: x.signal,
          reason: PlatformProcess.reason(x.tail),
        })),
      })),
    })}`,
  );
  say(failed.length === 0 ? 'all scenarios passed' : `${failed.length} scenario(s) failed`);
  return failed.length === 0 ? 0 : 1;
}

async function makePartner(
  api: string,
  adminToken: string,
  receiver: ChaosReceiver,
  serial: number,
): Promise<LoadPartner> {
  const created = await request(
    api,
    'POST',
    '/admin/partners',
    { authorization: `Bearer ${adminToken}` },
    { name: `Chaos ${serial}`, allowed_domains: [ALLOWED_DOMAIN] },
    10_000,
  );
  const body = created.body as {
    partner?: { id: string };
    id?: string;
    keys?: { test: { secret_key: string } };
  };
  const id = body?.partner?.id ?? body?.id;
  const secretKey = body?.keys?.test.secret_key;
  if (created.status !== 201 || !id || !secretKey)
    throw new Error(`POST /admin/partners answered ${created.status}: ${JSON.stringify(created.body)}`);
  // The partner's own call, as a partner sets up webhooks (test mode allows http on 127.0.0.1).
  const endpoint = await request(
    api,
    'PUT',
    '/portal/webhook-endpoint',
    { authorization: `Bearer ${secretKey}`, 'idempotency-key': randomUUID() },
    { url: `${receiver.baseUrl}/hook/${id}` },
    10_000,
  );
  const secret = (endpoint.body as { secret?: string } | null)?.secret;
  if (endpoint.status !== 200 || !secret)
    throw new Error(
      `PUT /portal/webhook-endpoint answered ${endpoint.status}: ${JSON.stringify(endpoint.body)}`,
    );
  receiver.register(id, secret);
  return { id, secretKey };
}

function skipped(scenario: Scenario, error: string): Outcome {
  return {
    scenario: scenario.key,
    title: scenario.title,
    committed: 0,
    delivered: 0,
    duplicates: 0,
    lost: 0,
    deadLettered: 0,
    badSignatures: 0,
    recoveryMs: null,
    deliveryResumeMs: null,
    unanswered: 0,
    requests: 0,
    failedRequests: 0,
    failuresByStatus: {},
    crashes: [],
    error,
    ok: false,
  };
}

async function withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('scenario deadline exceeded')),
          Math.max(0, deadline - Date.now()),
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function firstAfter(tallies: PartnerTally[], at: number): number | null {
  let first: number | null = null;
  for (const t of tallies)
    for (const arrived of t.delivered.values())
      if (arrived > at && (first === null || arrived < first)) first = arrived;
  return first === null ? null : first - at;
}

function byStatus(records: RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records)
    if (r.status === 0 || r.status >= 500) {
      const key = r.status === 0 ? 'none' : String(r.status);
      counts[key] = (counts[key] ?? 0) + 1;
    }
  return counts;
}

const fmtFailures = (counts: Record<string, number>) => {
  const parts = Object.entries(counts).map(([status, n]) => `${status}×${n}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
};

const fmtMs = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`);

function printTable(outcomes: Outcome[]): void {
  const header = [
    'scenario',
    'committed',
    'delivered',
    'dupes',
    'lost',
    'dead-lettered',
    'bad sig',
    'API recovery',
    'deliveries resume',
    'failed req',
    'unexpected exits',
    'result',
  ];
  const rows = outcomes.map((o) => [
    o.scenario,
    String(o.committed),
    String(o.delivered),
    String(o.duplicates),
    String(o.lost),
    String(o.deadLettered),
    String(o.badSignatures),
    fmtMs(o.recoveryMs),
    fmtMs(o.deliveryResumeMs),
    `${o.failedRequests}/${o.requests}${fmtFailures(o.failuresByStatus)}`,
    o.crashes.length === 0
      ? '0'
      : `${o.crashes.length} (${[...new Set(o.crashes.map((c) => c.process))].join(', ')})`,
    o.ok ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\nFault matrix${SHORT ? ' (short)' : ''}`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  for (const o of outcomes.filter((x) => x.error)) console.log(`  ${o.scenario}: ${o.error?.split('\n')[0]}`);
  for (const o of outcomes)
    for (const c of o.crashes) {
      const reason = PlatformProcess.reason(c.tail)
        .map((l) => l.trim())
        .join(' ⏎ ');
      console.log(`  ${o.scenario}: ${c.process} exited (code ${c.code}, signal ${c.signal}): ${reason}`);
    }
  console.log('');
}

// Ctrl-C / SIGTERM and the overall deadline tear everything down too.
let exiting = false;
const abort = async (why: string, code: number) => {
  if (exiting) return;
  exiting = true;
  say(`${why}: tearing down`);
  await cleanup?.().catch(() => {});
  process.exit(code);
};
process.on('SIGINT', () => void abort('interrupted', 130));
process.on('SIGTERM', () => void abort('terminated', 143));
const overall = setTimeout(
  () => void abort(`overall deadline of ${TOTAL_DEADLINE_MS / 1000} s exceeded`, 1),
  TOTAL_DEADLINE_MS + 10_000,
);
overall.unref();

main()
  .then((code) => process.exit(code))
  .catch(async (error) => {
    console.error('[chaos] harness failed:', error);
    await cleanup?.().catch(() => {});
    process.exit(1);
  });
