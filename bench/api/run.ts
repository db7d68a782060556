/**
 * bench/api: requests/s and latency of the real 0Gate API against a bare Fastify JSON route measured in the
 * same run. `npm run bench:api` (PGlite) and, with DATABASE_URL set, PostgreSQL too. Writes a report to
 * stdout and bench/api/last-run.md; RESULTS.md quotes it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createTestDatabase } from '../../apps/api/test/support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function start(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMITS: 'off', ...env },
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${out}`)));
  });
}

async function load(name: string, options: autocannon.Options): Promise<Result> {
  const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

async function benchApi(label: string, env: Record<string, string>): Promise<Result[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-bench-'));
  const { child, port } = await start('apps/api/src/main.ts', {
    DATA_DIR: dataDir,
    DEMO_PARTNER: 'on',
    ...env,
  });
  try {
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-partner.json'), 'utf8'));
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${demo.secret_key}`, 'content-type': 'application/json' };
    const body = JSON.stringify({
      amount: '100.00',
      currency: 'EUR',
      return_url: 'http://localhost:3000/done',
      metadata: { order_id: 'o-1' },
    });
    const created = await fetch(`${base}/v1/gate_sessions`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': randomUUID() },
      body,
    }).then((r) => r.json());
    const retrieve = await load(`retrieve (${label})`, {
      url: `${base}/v1/gate_sessions/${created.id}`,
      headers: auth,
    });
    const create = await load(`create (${label})`, {
      url: `${base}/v1/gate_sessions`,
      method: 'POST',
      headers: auth,
      body,
      // A fresh Idempotency-Key per request: every request is a real create.
      requests: [
        { setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': randomUUID() } }) },
      ],
    });
    return [retrieve, create];
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
const bare = await start('bench/api/bare-server.ts', {});
const baseline = await load('bare Fastify JSON route', { url: `http://127.0.0.1:${bare.port}/bare` });
bare.child.kill();
results.push(baseline);
results.push(...(await benchApi('PGlite', { DATABASE_URL: '' })));
if (process.env.DATABASE_URL) {
  const database = await createTestDatabase();
  try {
    results.push(
      ...(await benchApi('PostgreSQL', {
        DATABASE_URL: database.url,
        DATABASE_POOL_SIZE: process.env.BENCH_POOL ?? '10',
      })),
    );
  } finally {
    await database.drop();
  }
}

const lines = [
  `Run ${new Date().toISOString()} · ${cpus().length} cores (${cpus()[0]?.model ?? '?'}) · Node ${process.version}`,
  `${CONNECTIONS} connections, ${SECONDS} s each, rate limits off, LOG_LEVEL=warn`,
  '',
  '| target | req/s | vs bare | p50 ms | p99 ms | errors | non-2xx |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.rps} | ${Math.round((r.rps / baseline.rps) * 100)} % | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`,
  ),
];
const report = lines.join('\n');
console.log(report);
writeFileSync(join(ROOT, 'bench/api/last-run.md'), `${report}\n`);
process.exit(0);
