/**
 * bench/exchange: signed POST /api/v1/price requests/s (HMAC over the raw body, a fresh nonce stored per
 * request, the shared quote engine) against a bare Fastify POST JSON route measured in the same run.
 * `npm run bench:exchange` (PGlite) and, with DATABASE_URL set, PostgreSQL too. Target: ≥ 50 % of the bare
 * route. Writes a report to stdout and bench/exchange/last-run.md; RESULTS.md quotes it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { createTestDatabase } from '../../apps/api/test/support/database.ts';
import { load, type Result, ROOT, report, start, stop } from '../support.ts';

const BODY = '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01"}';

/** `npm run exchange` (the deployable unit) by default; BENCH_EXCHANGE_IN_PLATFORM=1 measures `npm start`'s copy. */
const SCRIPT = process.env.BENCH_EXCHANGE_IN_PLATFORM ? 'apps/api/src/main.ts' : 'apps/exchange/src/main.ts';

async function benchExchange(label: string, env: Record<string, string>): Promise<Result[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'exchange-bench-'));
  const { child, port } = await start(
    SCRIPT,
    { DATA_DIR: dataDir, DEMO_PARTNER: 'on', ...env },
    /0trace partner API listening on http:\/\/localhost:(\d+)/,
  );
  try {
    // The demo credentials are written before the server prints its banner.
    await new Promise((r) => setTimeout(r, 500));
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-exchange.json'), 'utf8'));
    const sign = createHmac('sha256', demo.apiSecret).update(BODY).digest('hex');
    const headers = { 'content-type': 'application/json', 'x-api-key': demo.apiKey, 'x-api-sign': sign };
    const fixed = BODY.replace('"float"', '"fixed"');
    const fixedSign = createHmac('sha256', demo.apiSecret).update(fixed).digest('hex');
    const nonce = (req: autocannon.Request) => ({
      ...req,
      headers: { ...req.headers, 'x-api-nonce': randomBytes(16).toString('hex') },
    });
    return [
      await load(`signed price, float (${label})`, {
        url: `http://127.0.0.1:${port}/api/v1/price`,
        method: 'POST',
        headers,
        body: BODY,
        requests: [{ setupRequest: nonce }],
      }),
      await load(`signed price, fixed: quote stored (${label})`, {
        url: `http://127.0.0.1:${port}/api/v1/price`,
        method: 'POST',
        headers: { ...headers, 'x-api-sign': fixedSign },
        body: fixed,
        requests: [{ setupRequest: nonce }],
      }),
    ];
  } finally {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The bare route, measured before and after the targets: on a shared machine it drifts between the two. */
async function bareRoute(label: string): Promise<Result> {
  const bare = await start('bench/api/bare-server.ts', {});
  try {
    return await load(`bare Fastify POST JSON route (${label})`, {
      url: `http://127.0.0.1:${bare.port}/bare`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
    });
  } finally {
    await stop(bare.child);
  }
}

const before = await bareRoute('before');
const targets: Result[] = [...(await benchExchange('PGlite', { DATABASE_URL: '' }))];
if (process.env.DATABASE_URL) {
  const database = await createTestDatabase();
  try {
    targets.push(
      ...(await benchExchange('PostgreSQL', {
        DATABASE_URL: database.url,
        DATABASE_POOL_SIZE: process.env.BENCH_POOL ?? '10',
      })),
    );
  } finally {
    await database.drop();
  }
}
const after = await bareRoute('after');
const baseline: Result = {
  ...before,
  name: 'bare route, mean of before and after',
  rps: Math.round((before.rps + after.rps) / 2),
};
const results = [before, after, baseline, ...targets];
const text = report(results, baseline, 'rate limits off, LOG_LEVEL=warn, a fresh nonce per request');
console.log(text);
writeFileSync(join(ROOT, 'bench/exchange/last-run.md'), `${text}\n`);
process.exit(0);
