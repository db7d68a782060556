import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SPEC_CREATE_BODY, writeHeaders } from '@0bit/api/test-support/server';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { REPO_ROOT, runCommand, type SpawnedScript, spawnCommand } from '@0bit/testing/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The production build as an operator ships it (docs/operating-build-tracing.md): the manifests, the
 * lockfile and the built output only — no TypeScript source — installed with `npm ci --omit=dev` and started
 * with plain `node` and NODE_ENV=production against a fresh database.
 */
const SHIPPED = [
  'package.json',
  'package-lock.json',
  'apps/widget/dist',
  'packages/gate/dist',
  'examples/partner-node/public',
];
const WORKSPACES = ['apps', 'packages', 'examples'];
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

const scratch = mkdtempSync(join(tmpdir(), 'obit-prod-'));
let server: SpawnedScript | undefined;
let dropDatabase = async () => {};
const adminToken = randomBytes(24).toString('hex');

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'apps/widget/dist/index.html')))
    throw new Error('the widget is not built: run "npm run build" first');
  for (const path of SHIPPED) cpSync(join(REPO_ROOT, path), join(scratch, path), { recursive: true });
  for (const group of WORKSPACES)
    for (const name of readdirSync(join(REPO_ROOT, group))) {
      const manifest = join(group, name, 'package.json');
      if (!existsSync(join(REPO_ROOT, manifest))) continue;
      mkdirSync(dirname(join(scratch, manifest)), { recursive: true });
      cpSync(join(REPO_ROOT, manifest), join(scratch, manifest));
    }
  // The server build (what `npm run build` writes to apps/server/dist), made straight into the copy.
  const built = await runCommand(process.execPath, [
    '--import',
    'tsx',
    'apps/server/scripts/build.ts',
    '--outdir',
    join(scratch, 'apps/server/dist'),
  ]);
  expect(built.code, built.stderr).toBe(0);
  const install = await runCommand(
    'npm',
    ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: scratch, env: { CI: 'true', NODE_ENV: 'production' } },
  );
  expect(install.code, install.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await dropDatabase();
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

  it('starts with NODE_ENV=production on plain node, migrates a fresh database and creates a session', async () => {
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
      LOG_LEVEL: 'warn',
      DATABASE_URL: undefined,
      DATA_DIR: undefined,
      ...database,
    });
    await server.waitForOutput(/0Gate API listening on http:\/\/localhost:(\d+)/, 45_000);
    const port = Number(/0Gate API listening on http:\/\/localhost:(\d+)/.exec(server.output())![1]);
    const widgetPort = Number(/0Gate widget on http:\/\/localhost:(\d+)/.exec(server.output())![1]);
    const base = `http://127.0.0.1:${port}`;

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);

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
  });
});
