import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { send } from '@0bit/testing/http';
import { type RunningServer, startServerProcess } from '@0bit/testing/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPEC_CREATE_BODY } from './support/server.ts';

/** Several API processes on one PostgreSQL: the deployment shape DESIGN.md promises. PGlite is one process. */
describe.skipIf(!usingPostgres())('two API processes on one PostgreSQL', () => {
  let database: { url: string; drop: () => Promise<void> };
  let servers: RunningServer[] = [];
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-multi-'));
  let sk = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? '',
      REDIS_KEY_PREFIX: `multi:${randomBytes(4).toString('hex')}:`,
      ADMIN_TOKEN: adminToken,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
      DEMO_PARTNER: 'off',
      RATE_LIMITS: process.env.REDIS_URL ? 'on' : 'off',
      LOG_LEVEL: 'warn',
    };
    // Both start at once on an empty database: migrations must run once, under the advisory lock.
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    const created = await send(servers[0]!.baseUrl, 'POST', '/admin/partners', {
      headers: { authorization: `Bearer ${adminToken}` },
      body: { name: 'Multi', allowed_domains: ['https://partner.example'] },
    });
    sk = created.body.keys.test.secret_key;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('both started and migrated one database', async () => {
    for (const s of servers) expect((await send(s.baseUrl, 'GET', '/health')).status).toBe(200);
  });

  it('shares idempotency: one key sent to both instances at once creates one session', async () => {
    const headers = { authorization: `Bearer ${sk}`, 'idempotency-key': randomUUID() };
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        send(servers[i % 2]!.baseUrl, 'POST', '/v1/gate_sessions', { headers, body: SPEC_CREATE_BODY }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(created.filter((a) => a.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    // Each instance reads what the other wrote.
    for (const s of servers) {
      const read = await send(s.baseUrl, 'GET', `/v1/gate_sessions/${created[0]!.body.id}`, {
        headers: { authorization: `Bearer ${sk}` },
      });
      expect(read.status).toBe(200);
    }
  });

  it.skipIf(!process.env.REDIS_URL)(
    'enforces one create limit across both instances through Redis',
    async () => {
      const fresh = await send(servers[1]!.baseUrl, 'POST', '/admin/partners', {
        headers: { authorization: `Bearer ${adminToken}` },
        body: { name: 'Limited', allowed_domains: ['https://partner.example'] },
      });
      const key = fresh.body.keys.test.secret_key;
      const statuses = [];
      for (let i = 0; i < 12; i++) {
        const res = await send(servers[i % 2]!.baseUrl, 'POST', '/v1/gate_sessions', {
          headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() },
          body: SPEC_CREATE_BODY,
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.slice(10)).toEqual([429, 429]);
    },
  );
});
