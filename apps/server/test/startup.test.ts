import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@0bit/api/app';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { SPEC_CREATE_BODY } from '@0bit/api/test-support/server';
import { SecretBox } from '@0bit/core/secret-box';
import { freshDatabase } from '@0bit/testing/database';
import { send } from '@0bit/testing/http';
import { startServerProcess } from '@0bit/testing/process';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'gate-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// The embedded default: no DATABASE_URL, PGlite in DATA_DIR, demo partner on first start.
const env = {
  DATA_DIR: dataDir,
  DATABASE_URL: '',
  REDIS_URL: '',
  ADMIN_TOKEN: '',
  SECRETS_KEY: '',
  DEMO_PARTNER: 'auto',
};

describe('npm start on the embedded default', () => {
  it('creates the demo partner once, prints its test keys, serves them, and shuts down gracefully', async () => {
    const first = await startServerProcess(env);
    const output = first.output();
    const file = join(dataDir, 'demo-partner.json');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'local-secrets.json')).mode & 0o777).toBe(0o600);
    const demo = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(demo).sort()).toEqual(['mode', 'partner_id', 'publishable_key', 'secret_key']);
    expect(demo.mode).toBe('test');
    expect(demo.secret_key).toMatch(/^sk_test_[A-Za-z0-9]{32}$/);
    expect(JSON.stringify(demo)).not.toContain('_live_');
    expect(output).toContain(demo.secret_key);
    expect(output).toContain(demo.publishable_key);
    expect(output).toContain('(created now)');
    expect(output).toMatch(/Admin token \(generated into .*local-secrets\.json\): adm_/);

    expect((await send(first.baseUrl, 'GET', '/health')).body).toEqual({
      status: 'ok',
      checks: { database: 'ok' },
    });
    const created = await send(first.baseUrl, 'POST', '/v1/gate_sessions', {
      headers: { authorization: `Bearer ${demo.secret_key}`, 'idempotency-key': crypto.randomUUID() },
      body: { ...SPEC_CREATE_BODY, return_url: 'http://localhost:3000/complete', cancel_url: null },
    });
    expect(created.status).toBe(201);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('shutting down');

    const second = await startServerProcess(env);
    expect(second.output()).toContain(demo.secret_key);
    expect(second.output()).not.toContain('(created now)');
    const read = await send(second.baseUrl, 'GET', `/v1/gate_sessions/${created.body.id}`, {
      headers: { authorization: `Bearer ${demo.secret_key}` },
    });
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('open');
    // Logs are JSON lines that never hold a raw key, even when a key is sent in a URL.
    await send(second.baseUrl, 'GET', `/v1/gate_sessions?leak=${demo.secret_key}`);
    await send(second.baseUrl, 'GET', `/v1/gate_sessions?publishable_key=${demo.publishable_key}`, {
      headers: { authorization: `Bearer ${demo.secret_key}` },
    });
    expect(await second.stop('SIGINT')).toBe(0);
    const logLines = second
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(3);
    for (const line of logLines) {
      expect(line).not.toContain(demo.secret_key);
      expect(line).not.toContain(demo.publishable_key);
    }
    expect(logLines.join('\n')).toContain('sk_[redacted]');
  }, 90_000);

  it('refuses to start in production without its secrets, naming them', async () => {
    const { runScript, EPHEMERAL_PORTS } = await import('@0bit/testing/process');
    const result = await runScript('apps/server/src/main.ts', [], {
      ...env,
      NODE_ENV: 'production',
      ...EPHEMERAL_PORTS,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SECRETS_KEY is required');
    expect(result.stderr).toContain('ADMIN_TOKEN is required');
  });
});

describe('production never creates the demo partner', () => {
  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    SECRETS_KEY: randomBytes(32).toString('hex'),
    EMBED_TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };

  it('DEMO_PARTNER=auto on PGlite in production: no demo partner, no sk_test or 0trace secret on stdout', async () => {
    const prodDir = mkdtempSync(join(tmpdir(), 'gate-prod-'));
    try {
      const server = await startServerProcess({
        ...env,
        DATA_DIR: prodDir,
        NODE_ENV: 'production',
        ...secrets,
      });
      const output = server.output();
      await server.stop('SIGTERM');
      expect(output).toContain('0Gate API listening');
      expect(output).not.toMatch(/sk_test_|pk_test_|Demo partner|apiSecret/);
      expect(existsSync(join(prodDir, 'demo-partner.json'))).toBe(false);
      expect(existsSync(join(prodDir, 'demo-exchange.json'))).toBe(false);
    } finally {
      rmSync(prodDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('DEMO_PARTNER=on in production is refused at startup, naming the variable', async () => {
    const { runScript, EPHEMERAL_PORTS } = await import('@0bit/testing/process');
    const result = await runScript('apps/server/src/main.ts', [], {
      ...env,
      ...secrets,
      NODE_ENV: 'production',
      DEMO_PARTNER: 'on',
      ...EPHEMERAL_PORTS,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DEMO_PARTNER=on is refused when NODE_ENV=production');
    expect(result.stdout).not.toContain('sk_test_');
  });
});

describe('GET /health', () => {
  it('answers 503 with the envelope when the database does not answer', async () => {
    // The run's database, cloned (a new PGlite would run initdb for seconds); then closed under the app.
    const database = await freshDatabase();
    const app = await buildApp({
      db: database.db,
      box: new SecretBox(SecretBox.generateKey()),
      adminToken: 'x'.repeat(32),
      counter: null,
      tokens: new EmbedTokens([{ kid: 'k', secret: 'y'.repeat(32) }], 60),
    });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({
      status: 'ok',
      checks: { database: 'ok' },
    });
    await database.close();
    const down = await app.inject({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      status: 'unavailable',
    });
    await app.close();
  });
});
