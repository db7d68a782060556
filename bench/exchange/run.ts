/**
 * bench/exchange: signed POST /api/v1/price requests/s (HMAC over the raw body, a fresh nonce claimed in the
 * shared nonce store per request, the shared quote engine) against a bare Fastify POST JSON route.
 * `npm run bench:exchange` (PGlite) and, with DATABASE_URL set, PostgreSQL too; with REDIS_URL set the
 * nonces go to Redis, as in a multi-instance deployment. Target: ≥ 50 % of the bare route.
 *
 * Method. This machine's speed drifts by up to a third within minutes (measured: the same bare route at 21 k
 * and 29 k req/s a few minutes apart), so one bare run before the targets is no baseline. Every server is
 * started and warmed up first; then ROUNDS rounds load the bare route and each target for SECONDS in turn,
 * and "vs bare" is the median over rounds of target ÷ bare within the same round.
 *
 * Writes a report to stdout and bench/exchange/last-run.md; RESULTS.md quotes it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@0bit/testing/database';
import { nodeArgsOfScript } from '@0bit/testing/process';
import type autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { CONNECTIONS, load, median, type Result, ROOT, SECONDS, start, stop } from '../support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM_UP_SECONDS = 3;
const BODY = '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01"}';
const FIXED_BODY = BODY.replace('"float"', '"fixed"');

/** `npm run exchange` (the deployable unit) by default; BENCH_EXCHANGE_IN_PLATFORM=1 measures `npm start`'s copy. */
const IN_PLATFORM = Boolean(process.env.BENCH_EXCHANGE_IN_PLATFORM);
const SCRIPT = IN_PLATFORM ? 'apps/server/src/main.ts' : 'apps/server/src/exchange-main.ts';
/** The Node flags `npm run exchange` passes (package.json), so the bench runs the process as it is deployed. */
const EXCHANGE_ARGS = nodeArgsOfScript('exchange');
const NODE_FLAGS = IN_PLATFORM ? [] : EXCHANGE_ARGS.slice(0, EXCHANGE_ARGS.indexOf('--import'));
/** This run's nonces live under their own Redis prefix and are deleted at the end (they would live 24 h). */
const REDIS_PREFIX = `bench:${randomBytes(6).toString('hex')}:`;

interface Target {
  name: string;
  options: autocannon.Options;
}

type Server = Awaited<ReturnType<typeof start>>;

/**
 * Nonces must be unique, not random: a counter behind a random prefix costs the load generator (which shares
 * the machine's two cores with the server) far less than a CSPRNG call per request.
 */
const PREFIX = randomBytes(6).toString('hex');
let nonceCounter = 0;
const withNonce = (req: autocannon.Request) => ({
  ...req,
  headers: { ...req.headers, 'x-api-nonce': `${PREFIX}${(nonceCounter++).toString(36).padStart(8, '0')}` },
});

async function startExchange(label: string, env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'exchange-bench-'));
  const server = await start(
    SCRIPT,
    { DATA_DIR: dataDir, DEMO_PARTNER: 'on', REDIS_KEY_PREFIX: REDIS_PREFIX, ...env },
    /0trace partner API listening on http:\/\/localhost:(\d+)/,
    NODE_FLAGS,
  );
  // The demo credentials are written before the banner that `start` waited for.
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo-exchange.json'), 'utf8'));
  const target = (kind: string, body: string): Target => ({
    name: `signed price, ${kind} (${label})`,
    options: {
      url: `http://127.0.0.1:${server.port}/api/v1/price`,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': demo.apiKey,
        'x-api-sign': createHmac('sha256', demo.apiSecret).update(body).digest('hex'),
      },
      body,
      requests: [{ setupRequest: withNonce }],
    },
  });
  return {
    server,
    targets: [target('float', BODY), target('fixed: quote stored', FIXED_BODY)],
    close: async () => {
      await stop(server.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteBenchNonces(): Promise<void> {
  if (!process.env.REDIS_URL) return;
  const redis = new Redis(process.env.REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

const redisLabel = process.env.REDIS_URL ? ' + Redis' : '';
const bare: Server = await start('bench/api/bare-server.ts', {});
const exchanges = [await startExchange(`PGlite${redisLabel}`, { DATABASE_URL: '' })];
let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
if (process.env.DATABASE_URL) {
  const created = await createTestDatabase();
  database = created;
  exchanges.push(
    await startExchange(`PostgreSQL${redisLabel}`, {
      DATABASE_URL: created.url,
      DATABASE_POOL_SIZE: process.env.BENCH_POOL ?? '10',
    }),
  );
}

const bareTarget: Target = {
  name: 'bare Fastify POST JSON route',
  options: {
    url: `http://127.0.0.1:${bare.port}/bare`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  },
};
const targets = [bareTarget, ...exchanges.flatMap((exchange) => exchange.targets)];
const runs = new Map<string, Result[]>(targets.map((target) => [target.name, []]));
const ratios = new Map<string, number[]>(targets.map((target) => [target.name, []]));
try {
  for (const target of targets)
    await load(`${target.name} (warm-up)`, { ...target.options, duration: WARM_UP_SECONDS });
  for (let round = 1; round <= ROUNDS; round++) {
    let bareRps = 0;
    for (const target of targets) {
      const result = await load(target.name, target.options);
      if (target === bareTarget) bareRps = result.rps;
      runs.get(target.name)?.push(result);
      ratios.get(target.name)?.push(result.rps / bareRps);
    }
    console.error(`round ${round}/${ROUNDS} done`);
  }
} finally {
  await stop(bare.child);
  for (const exchange of exchanges) await exchange.close();
  await database?.drop();
  await deleteBenchNonces();
}

const rows = targets.map((target) => {
  const results = runs.get(target.name) ?? [];
  const sum = (pick: (r: Result) => number) => results.reduce((total, r) => total + pick(r), 0);
  return `| ${target.name} | ${Math.round(median(results.map((r) => r.rps)))} | ${Math.round(
    median(ratios.get(target.name) ?? []) * 100,
  )} % | ${results.map((r) => r.rps).join(' · ')} | ${median(results.map((r) => r.p50))} | ${median(
    results.map((r) => r.p99),
  )} | ${sum((r) => r.errors)} | ${sum((r) => r.non2xx)} |`;
});
const text = [
  `Run ${new Date().toISOString()} · ${cpus().length} cores · Node ${process.version}`,
  `${CONNECTIONS} connections; every target warmed up ${WARM_UP_SECONDS} s, then ${ROUNDS} rounds of ${SECONDS} s per target in turn;`,
  `rate limits off, LOG_LEVEL=warn, a fresh nonce per request, exchange started as \`node ${[...NODE_FLAGS, SCRIPT].join(' ')}\`.`,
  'req/s, p50 and p99: medians over rounds;',
  '"vs bare": median over rounds of target ÷ bare route in the same round.',
  '',
  '| target | req/s | vs bare | every round (req/s) | p50 ms | p99 ms | errors | non-2xx |',
  '|---|---:|---:|---|---:|---:|---:|---:|',
  ...rows,
].join('\n');
console.log(text);
writeFileSync(join(ROOT, 'bench/exchange/last-run.md'), `${text}\n`);
process.exit(0);
