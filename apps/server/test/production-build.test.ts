import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPEC_CREATE_BODY, writeHeaders } from '@0bit/api/test-support/server';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { runCommand, type SpawnedScript, spawnCommand } from '@0bit/testing/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The production build as an operator ships it (docs/operating.md, "Production build"): the folder
 * `apps/server/scripts/build.ts --ship` makes (manifests, lockfile, built output, no TypeScript source),
 * installed with `npm ci --omit=dev` and started with plain `node` and NODE_ENV=production against a fresh
 * database, with tracing turned on by the OTEL_* variables (OTLP over HTTP/JSON to a collector stand-in).
 */

/** What must not be in a production install: the TypeScript runner, compiler and bundlers. */
const DEV_ONLY = ['tsx', 'typescript', 'vite', 'esbuild', 'vitest', '@biomejs/biome'];

/** Every package name installed under node_modules, nested ones included. */
function installedPackages(modules: string): Set<string> {
  const found = new Set<string>();
  if (!existsSync(modules)) return found;
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    const names = entry.name.startsWith('@')
      ? readdirSync(join(modules, entry.name)).map((n) => `${entry.name}/${n}`)
      : [entry.name];
    for (const name of names) {
      found.add(name);
      for (const nested of installedPackages(join(modules, name, 'node_modules'))) found.add(nested);
    }
  }
  return found;
}

/**
 * The npm settings of the command that started this test (`npm test`, `npx vitest`: npm_config_*, npm_package_*)
 * unset, so the install in the scratch folder is a plain `npm ci` there and nothing of the repository's.
 */
const withoutNpmSettings = (): Record<string, undefined> =>
  Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => /^npm_/i.test(k))
      .map((k) => [k, undefined]),
  );

const scratch = mkdtempSync(join(tmpdir(), 'obit-prod-'));
let server: SpawnedScript | undefined;
let dropDatabase = async () => {};
/** A stand-in OTLP collector: the JSON bodies POSTed to /v1/traces. */
const exported: string[] = [];
const collector = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    if (req.url === '/v1/traces') exported.push(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
const adminToken = randomBytes(24).toString('hex');

beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const shipped = await runCommand(process.execPath, [
    '--import',
    'tsx',
    'apps/server/scripts/build.ts',
    '--ship',
    scratch,
  ]);
  expect(shipped.code, shipped.stderr).toBe(0);
  const install = await runCommand(
    'npm',
    ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: scratch, env: { ...withoutNpmSettings(), CI: 'true', NODE_ENV: 'production' } },
  );
  expect(install.code, install.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await dropDatabase();
  collector.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('production build', () => {
  it('installs without tsx, TypeScript, Vite or esbuild and ships no TypeScript source', () => {
    const installed = installedPackages(join(scratch, 'node_modules'));
    expect(installed.has('fastify')).toBe(true);
    for (const name of DEV_ONLY) expect(installed.has(name), `${name} is installed`).toBe(false);
    expect(existsSync(join(scratch, 'apps/server/src'))).toBe(false);
    expect(existsSync(join(scratch, 'apps/server/dist/main.js'))).toBe(true);
  });

  it('starts with NODE_ENV=production on plain node, migrates a fresh database, creates a session, traces it', async () => {
    let database: Record<string, string>;
    if (usingPostgres()) {
      const created = await createTestDatabase({ prefix: 'gate_prod' });
      dropDatabase = created.drop;
      database = { DATABASE_URL: created.url };
    } else database = { DATA_DIR: join(scratch, 'data') };
    // The copy's own bundle: its imports resolve from the copy's node_modules, never the repository's.
    server = spawnCommand(process.execPath, [join(scratch, 'apps/server/dist/main.js')], {
      // Nothing of the test runner's own loaders (tsx, vitest) reaches the production process.
      NODE_OPTIONS: '',
      NODE_ENV: 'production',
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ADMIN_TOKEN: adminToken,
      EMBED_TOKEN_SECRET: randomBytes(32).toString('hex'),
      HOST: '127.0.0.1',
      PORT: '0',
      EXCHANGE_PORT: '0',
      WIDGET_PORT: '0',
      EXAMPLE_PORT: '0',
      HUB_PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: undefined,
      DATA_DIR: undefined,
      ...database,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as { port: number }).port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'production-build-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    await server.waitForOutput(/0Gate API listening on http:\/\/localhost:(\d+)/, 45_000);
    const port = Number(/0Gate API listening on http:\/\/localhost:(\d+)/.exec(server.output())![1]);
    const widgetPort = Number(/0Gate widget on http:\/\/localhost:(\d+)/.exec(server.output())![1]);
    const base = `http://127.0.0.1:${port}`;

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    // Ready: the database answers and its migrations are the bundle's (they ship inside it).
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status, await ready.clone().text()).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok', migrations: 'ok' } });

    const partner = await fetch(`${base}/admin/partners`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Production build', allowed_domains: ['https://partner.example'] }),
    });
    expect(partner.status).toBe(201);
    const { keys } = (await partner.json()) as { keys: { test: { secret_key: string } } };
    const session = await fetch(`${base}/v1/gate_sessions`, {
      method: 'POST',
      headers: { ...writeHeaders(keys.test.secret_key), 'content-type': 'application/json' },
      body: JSON.stringify(SPEC_CREATE_BODY),
    });
    const created = (await session.json()) as { id: string };
    expect(session.status, JSON.stringify(created)).toBe(201);
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);

    // The hosted widget's built assets are found by the bundle.
    const widget = await fetch(`http://127.0.0.1:${widgetPort}/`);
    expect(widget.status).toBe(200);
    expect(await widget.text()).toContain('<div id="root"');

    // Tracing, switched on by the OTEL_* variables, exports the create's span from the installed SDK.
    const requestId = session.headers.get('request-id');
    const all = () => exported.join('\n');
    const until = Date.now() + 10_000;
    while (
      !(all().includes(`"${requestId}"`) && all().includes('"POST /v1/gate_sessions"')) &&
      Date.now() < until
    )
      await new Promise((r) => setTimeout(r, 100));
    expect(all()).toContain(`"${requestId}"`);
    expect(all()).toContain('"POST /v1/gate_sessions"');
    expect(all()).toContain('"production-build-test"');
  });
});
