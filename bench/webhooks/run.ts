/**
 * bench/webhooks: the webhook worker (a separate `npm run worker` process, its defaults) delivering to a
 * local receiver on PostgreSQL, against the minimal outbox drain (bench/webhooks/minimal-drain.ts) in the
 * same run. Phase 1, ROUNDS interleaved rounds: a backlog of BENCH_EVENTS events committed at once (for one
 * partner, then spread over 20) → deliveries/s until all arrived, reference then ours; the ratio is the
 * median over rounds of ours ÷ reference in the same round (target ≥ 0.5, issue #18). Phase 2: a steady
 * stream of single-event commits → commit → first-attempt latency p50/p99 of our worker.
 * Run: DATABASE_URL=postgres://… npm run bench:webhooks (exit 1 when a target is missed;
 * BENCH_SMOKE=1 reports only, no last-run.md — the smoke test).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPartner } from '@0bit/api/domain/partners';
import { setEndpoint } from '@0bit/api/domain/webhook-endpoints';
import { SecretBox } from '@0bit/core/secret-box';
import { openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import { createTestDatabase } from '@0bit/testing/database';
import { sql } from 'kysely';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOTAL = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PARTNERS = 20;
const TARGET = 0.5;
const STREAM_RATE = Number(process.env.BENCH_STREAM_RATE ?? 200);
const STREAM_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 10);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('set DATABASE_URL (the webhook benchmark measures PostgreSQL)');

const target = await createTestDatabase();

const arrivals = new Map<string, number>();
let received = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    const id = String(req.headers['x-0bit-event-id']);
    if (!arrivals.has(id)) arrivals.set(id, Date.now());
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

const database = await openDatabase({ databaseUrl: target.url, poolSize: 10 });
const secretsKey = randomBytes(32);
let consumer: ChildProcess | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'gate-bench-wh-'));

/** Starts our worker (`npm run worker`, its defaults) or the reference; resolves once it dispatches. */
async function startConsumer(which: 'ours' | 'reference'): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      which === 'ours' ? 'apps/server/src/worker-main.ts' : 'bench/webhooks/minimal-drain.ts',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: target.url,
        MINIMAL_DATABASE_URL: target.url,
        SECRETS_KEY: secretsKey.toString('hex'),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (/is the leader|reference drain ready/.test(out)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${which} exited ${code}: ${out}`)));
  });
  return child;
}

async function stopConsumer(): Promise<void> {
  const child = consumer;
  consumer = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Commits TOTAL events (1,000 per transaction, spread over `partners`) and waits until all arrived. */
async function drain(which: 'ours' | 'reference', partners: string[]): Promise<number> {
  consumer = await startConsumer(which);
  arrivals.clear();
  received = 0;
  const started = Date.now();
  for (let done = 0; done < TOTAL; done += 1000)
    await sql`
      INSERT INTO events (id, partner_id, mode, type, session_id, data)
      SELECT gen_random_uuid(), (${sql.val(partners)}::text[])[1 + g % ${partners.length}], 'test',
        'gate_session.created', NULL, json_build_object('n', g)
      FROM generate_series(1, ${Math.min(1000, TOTAL - done)}) AS g`.execute(database.db);
  while (arrivals.size < TOTAL) await new Promise((r) => setTimeout(r, 20));
  const rate = Math.round(TOTAL / ((Date.now() - started) / 1000));
  await stopConsumer();
  return rate;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
};

try {
  await migrateToLatest(database.db);
  const box = new SecretBox(secretsKey);
  const partnerIds: string[] = [];
  for (let i = 0; i < PARTNERS; i++) {
    const { partner } = await createPartner(database.db, { name: `Bench ${i}` });
    await setEndpoint(database.db, box, { partnerId: partner.id, mode: 'test' }, `${receiverUrl}/${i}`);
    partnerIds.push(partner.id);
  }
  const scenarios = [
    { name: 'one partner', partners: partnerIds.slice(0, 1) },
    { name: `${PARTNERS} partners`, partners: partnerIds },
  ];
  const rates = new Map<string, number[]>();
  const ratios = new Map<string, number[]>();
  const loadAverages: string[] = [];
  const push = (map: Map<string, number[]>, key: string, value: number) =>
    map.set(key, [...(map.get(key) ?? []), value]);

  // Phase 1: backlog drain, reference and ours in turn.
  for (let round = 1; round <= ROUNDS; round++) {
    loadAverages.push(
      loadavg()
        .map((l) => l.toFixed(1))
        .join('/'),
    );
    for (const scenario of scenarios) {
      const reference = await drain('reference', scenario.partners);
      const ours = await drain('ours', scenario.partners);
      push(rates, `reference ${scenario.name}`, reference);
      push(rates, `ours ${scenario.name}`, ours);
      push(ratios, scenario.name, ours / reference);
    }
    console.error(`round ${round}/${ROUNDS} done`);
  }

  // Phase 2: latency from each commit to its first attempt (our worker, one partner).
  consumer = await startConsumer('ours');
  arrivals.clear();
  received = 0;
  const partnerId = partnerIds[0]!;
  const commitTimes = new Map<string, number>();
  const streamStart = Date.now();
  const count = STREAM_RATE * STREAM_SECONDS;
  for (let i = 0; i < count; i++) {
    const due = streamStart + (i * 1000) / STREAM_RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const row = await sql<{ id: string }>`
      INSERT INTO events (id, partner_id, mode, type, session_id, data)
      VALUES (gen_random_uuid(), ${partnerId}, 'test', 'gate_session.created', NULL, '{}'::json) RETURNING id::text`.execute(
      database.db,
    );
    commitTimes.set(row.rows[0]!.id, Date.now());
  }
  const deadline = Date.now() + 30_000;
  while ([...commitTimes.keys()].some((id) => !arrivals.has(id)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const latencies = [...commitTimes]
    .map(([id, t]) => (arrivals.get(id) ?? Number.NaN) - t)
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;

  const missed: string[] = [];
  const rows = scenarios.flatMap((scenario) => {
    const ratio = median(ratios.get(scenario.name) ?? []);
    if (!(ratio >= TARGET)) missed.push(`${scenario.name} ${ratio.toFixed(2)} < ${TARGET}`);
    const line = (label: string, key: string, cell: string) =>
      `| ${label} | ${Math.round(median(rates.get(key) ?? []))} | ${cell} | ${(rates.get(key) ?? []).join(' · ')} |`;
    return [
      line(`minimal outbox drain, ${scenario.name}`, `reference ${scenario.name}`, '—'),
      line(
        `our worker, ${scenario.name}`,
        `ours ${scenario.name}`,
        `**${ratio.toFixed(2)}** (≥ ${TARGET} ${ratio >= TARGET ? '✅' : '❌'}; rounds ${(ratios.get(scenario.name) ?? []).map((r) => r.toFixed(2)).join(' · ')})`,
      ),
    ];
  });
  const report = [
    `Run ${new Date().toISOString()} · ${cpus().length} cores · Node ${process.version} · PostgreSQL · load average at each round ${loadAverages.join(', ')}`,
    `Backlog of ${TOTAL} events committed at once (1,000 per transaction), drained to a local receiver; ${ROUNDS} rounds, reference then ours;`,
    'our worker: `npm run worker` with its defaults; the reference: batch 100, 64 in flight (bench/webhooks/minimal-drain.ts).',
    'deliveries/s: median over rounds; ratio: median over rounds of ours ÷ reference in the same round.',
    '',
    '| drain | deliveries/s | ratio to minimal | every round |',
    '|---|---:|---|---|',
    ...rows,
    '',
    '| measure (our worker) | value | target |',
    '|---|---:|---|',
    `| commit → first attempt p50 (${count} events at ${STREAM_RATE}/s) | ${pct(50)} ms | < 200 ms |`,
    `| commit → first attempt p99 | ${pct(99)} ms | < 1,000 ms |`,
    `| duplicate deliveries (phase 2) | ${received - arrivals.size} | |`,
    '',
    missed.length ? `Targets missed: ${missed.join('; ')}` : 'All targets met.',
  ].join('\n');
  console.log(report);
  if (!process.env.BENCH_SMOKE) writeFileSync(join(ROOT, 'bench/webhooks/last-run.md'), `${report}\n`);
  process.exitCode = missed.length && !process.env.BENCH_SMOKE ? 1 : 0;
} finally {
  await stopConsumer();
  await database.close();
  receiver.close();
  await target.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(process.exitCode ?? 0);
