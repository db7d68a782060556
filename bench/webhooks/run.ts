/**
 * bench/webhooks: the webhook worker (a separate `npm run worker` process) delivering to a local receiver
 * on PostgreSQL. Phase 1: 20,000 events committed at once → deliveries/s until all arrived. Phase 2: a
 * steady stream of single-event commits → commit → first-attempt latency p50/p99.
 * Run: DATABASE_URL=postgres://… npm run bench:webhooks
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
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
let worker: ChildProcess | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'gate-bench-wh-'));
try {
  await migrateToLatest(database.db);
  const { partner } = await createPartner(database.db, { name: 'Bench' });
  await setEndpoint(
    database.db,
    new SecretBox(secretsKey),
    { partnerId: partner.id, mode: 'test' },
    receiverUrl,
  );

  worker = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/worker-main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: target.url,
      SECRETS_KEY: secretsKey.toString('hex'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    },
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker!.stdout!.on('data', (d) => {
      out += d;
      if (/is the leader/.test(out)) resolve();
    });
    worker!.on('exit', (code) => reject(new Error(`worker exited ${code}: ${out}`)));
  });

  // Phase 1: throughput.
  const startThroughput = Date.now();
  for (let done = 0; done < TOTAL; done += 1000)
    await sql`
      INSERT INTO events (id, partner_id, mode, type, session_id, data)
      SELECT gen_random_uuid(), ${partner.id}, 'test', 'gate_session.created', NULL, json_build_object('n', g)
      FROM generate_series(1, ${Math.min(1000, TOTAL - done)}) AS g`.execute(database.db);
  const committed = Date.now();
  while (arrivals.size < TOTAL) await new Promise((r) => setTimeout(r, 20));
  const throughputSeconds = (Date.now() - startThroughput) / 1000;
  const deliveriesPerSecond = Math.round(TOTAL / throughputSeconds);

  // Phase 2: latency from each commit to its first attempt.
  const commitTimes = new Map<string, number>();
  const streamStart = Date.now();
  const count = STREAM_RATE * STREAM_SECONDS;
  for (let i = 0; i < count; i++) {
    const due = streamStart + (i * 1000) / STREAM_RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const row = await sql<{ id: string }>`
      INSERT INTO events (id, partner_id, mode, type, session_id, data)
      VALUES (gen_random_uuid(), ${partner.id}, 'test', 'gate_session.created', NULL, '{}'::json) RETURNING id::text`.execute(
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

  const report = [
    `Run ${new Date().toISOString()} · ${cpus().length} cores · Node ${process.version} · PostgreSQL, worker defaults (batch 20, concurrency 32)`,
    '',
    '| measure | value | target |',
    '|---|---:|---|',
    `| ${TOTAL} events committed in ${((committed - startThroughput) / 1000).toFixed(1)} s, all delivered after | ${throughputSeconds.toFixed(1)} s | |`,
    `| deliveries/s | ${deliveriesPerSecond} | ≥ 1,000 |`,
    `| commit → first attempt p50 (${count} events at ${STREAM_RATE}/s) | ${pct(50)} ms | < 200 ms |`,
    `| commit → first attempt p99 | ${pct(99)} ms | < 1,000 ms |`,
    `| duplicate deliveries | ${received - arrivals.size} | |`,
  ].join('\n');
  console.log(report);
  writeFileSync(join(ROOT, 'bench/webhooks/last-run.md'), `${report}\n`);
} finally {
  worker?.kill('SIGTERM');
  await database.close();
  receiver.close();
  await target.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
