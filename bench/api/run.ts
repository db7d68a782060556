/**
 * bench/api: requests/s and latency of the real 0Gate API against a bare Fastify JSON route measured in the
 * same run. `npm run bench:api` (PGlite) and, with DATABASE_URL set, PostgreSQL too. Writes a report to
 * stdout and bench/api/last-run.md; RESULTS.md quotes it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@0bit/testing/database';
import { load, type Result, ROOT, report, start, stop } from '../support.ts';

async function benchApi(label: string, env: Record<string, string>): Promise<Result[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-bench-'));
  const { child, port } = await start('apps/server/src/main.ts', {
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
    await stop(child);
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

const text = report(results, baseline, 'rate limits off, LOG_LEVEL=warn');
console.log(text);
writeFileSync(join(ROOT, 'bench/api/last-run.md'), `${text}\n`);
process.exit(0);
