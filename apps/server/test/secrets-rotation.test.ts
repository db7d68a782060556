import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEmbedTokenKeys } from '@0bit/api/config';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { SPEC_CREATE_BODY } from '@0bit/api/test-support/server';
import { SecretBox } from '@0bit/core/secret-box';
import { type ResealCount, SEALED_COLUMNS } from '@0bit/db/reseal';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { REPO_ROOT, type RunningServer, runScript, startServerProcess } from '@0bit/testing/process';
import { startReceiver, verifiedByOpenssl } from '@0bit/testing/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configProblems } from './support/config.ts';

describe('SecretBox with previous keys', () => {
  const k1 = SecretBox.generateKey();
  const k2 = SecretBox.generateKey();

  it('seals with the current key and opens with any configured one, in both directions of a rollout', () => {
    const before = new SecretBox(k1); // an instance not yet told about the rotation
    const accepting = new SecretBox(k1, [k2]); // phase 1: still seals with k1, already opens k2
    const rotated = new SecretBox(k2, [k1]); // phase 2: seals with k2, still opens k1
    const after = new SecretBox(k2); // phase 4, after secrets reencrypt

    const old = before.seal('whsec_old');
    const fresh = rotated.seal('whsec_new');
    expect(accepting.open(fresh)).toBe('whsec_new');
    expect(rotated.open(old)).toBe('whsec_old');
    expect(() => before.open(fresh)).toThrow('none of the configured keys');
    expect(() => after.open(old)).toThrow('none of the configured keys');
    expect(before.open(accepting.seal('x'))).toBe('x');

    expect(rotated.reseal(fresh)).toBeNull();
    const moved = rotated.reseal(old)!;
    expect(after.open(moved)).toBe('whsec_old');
    expect(() => after.reseal(old)).toThrow('none of the configured keys');
    expect(() => new SecretBox(k1, [Buffer.alloc(16)])).toThrow('SECRETS_KEY_PREVIOUS');
  });

  it('SECRETS_KEY_PREVIOUS takes one or more 32-byte keys, hex or base64, and names a bad one', () => {
    expect(
      configProblems({ SECRETS_KEY_PREVIOUS: `${k1.toString('hex')},${k2.toString('base64')}` }),
    ).toEqual([]);
    expect(configProblems({ SECRETS_KEY_PREVIOUS: `${k1.toString('hex')},abc` })).toEqual([
      'SECRETS_KEY_PREVIOUS (key 2) must be 32 bytes as 64 hex characters or base64; separate several with commas',
    ]);
  });

  it('every sealed column of the schema is re-encrypted by secrets reencrypt', () => {
    const rows = readFileSync(join(REPO_ROOT, 'packages/db/src/generated/rows.ts'), 'utf8');
    const sealed: string[] = [];
    let table = '';
    for (const line of rows.split('\n')) {
      const named = /^export interface (\w+)Table \{/.exec(line);
      if (named) table = named[1]!.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
      const column = /^\s+(\w+_sealed)\??:/.exec(line);
      if (column) sealed.push(`${table}.${column[1]}`);
    }
    expect(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort()).toEqual(sealed.sort());
  });
});

describe('EMBED_TOKEN_SECRET rotation without downtime (docs/operating.md)', () => {
  it("instances of every phase of the rollout accept each other's tokens; the retired key stops working", async () => {
    const oldSecret = randomBytes(32).toString('hex');
    const newSecret = randomBytes(32).toString('hex');
    const instance = (value: string) => new EmbedTokens(parseEmbedTokenKeys(value), 3600);
    const before = instance(`k1:${oldSecret}`);
    const accepting = instance(`k1:${oldSecret},k2:${newSecret}`); // phase 1: k1 signs, k2 accepted
    const rotated = instance(`k2:${newSecret},k1:${oldSecret}`); // phase 2: k2 signs, k1 accepted
    const after = instance(`k2:${newSecret}`); // phase 3: one embed-token TTL later
    const claims = {
      partnerId: 'ptr_1',
      mode: 'test' as const,
      origin: 'https://partner.example',
      sessionId: null,
      keyId: 'key_1',
    };
    const oldToken = (await before.issue(claims)).token;
    const newToken = (await rotated.issue(claims)).token;
    for (const verifier of [accepting, rotated]) {
      expect((await verifier.verify(oldToken)).claims.kid).toBe('k1');
      expect((await verifier.verify(newToken)).claims.kid).toBe('k2');
    }
    expect((await before.verify((await accepting.issue(claims)).token)).claims.kid).toBe('k1');
    expect((await after.verify(newToken)).claims.kid).toBe('k2');
    await expect(after.verify(oldToken)).rejects.toThrow('unknown or retired key');
  });
});

/**
 * The rotation as docs/operating.md tells an operator to do it, with the real processes: stored secrets
 * sealed under the old key keep working after the switch (replays, webhook signing), `npm run admin --
 * secrets reencrypt` moves them, and the old key can then be dropped.
 */
describe(`SECRETS_KEY rotation without downtime (${usingPostgres() ? 'PostgreSQL' : 'PGlite'})`, () => {
  const oldKey = randomBytes(32).toString('hex');
  const newKey = randomBytes(32).toString('hex');
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  let dataDir: string;
  let drop = async () => {};
  let base: Record<string, string>;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rotation-'));
    let databaseUrl: string | undefined;
    if (usingPostgres()) {
      const created = await createTestDatabase({ prefix: 'rotation' });
      databaseUrl = created.url;
      drop = created.drop;
    }
    base = {
      ADMIN_TOKEN: adminToken,
      DATA_DIR: dataDir,
      DEMO_PARTNER: 'off',
      RATE_LIMITS: 'off',
      WIDGET_ENABLED: 'false',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_POLL_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'warn',
      SECRETS_KEY_PREVIOUS: '',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await fetch(`${server!.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, read structurally.
    const json = (await response.json()) as any;
    return { status: response.status, headers: response.headers, body: json };
  };

  const reencrypt = async (env: Record<string, string>, dryRun: boolean) => {
    const result = await runScript(
      'apps/server/src/cli/admin.ts',
      ['secrets', 'reencrypt', ...(dryRun ? ['--dry-run'] : [])],
      { ...base, ...env },
    );
    const counts = result.stdout.trim() ? (JSON.parse(result.stdout).columns as ResealCount[]) : [];
    const of = (table: string) => counts.find((c) => c.table === table)!;
    return { code: result.code, stderr: result.stderr, counts, of };
  };

  it('old values open after the switch, reencrypt moves them, the old key can go', async () => {
    const receiver = await startReceiver();
    try {
      // Before: everything sealed with the old key.
      server = await startServerProcess({ ...base, SECRETS_KEY: oldKey });
      const created = await call(
        'POST',
        '/admin/partners',
        { authorization: `Bearer ${adminToken}` },
        { name: 'Rotation', allowed_domains: ['https://partner.example'], kyc_trusted: true },
      );
      expect(created.status).toBe(201);
      const secretKey: string = created.body.keys.test.secret_key;
      const auth = { authorization: `Bearer ${secretKey}` };
      const endpoint = await call(
        'PUT',
        '/portal/webhook-endpoint',
        { ...auth, 'idempotency-key': randomUUID() },
        { url: receiver.url },
      );
      expect(endpoint.status).toBe(200);
      const webhookSecret: string = endpoint.body.secret;
      const body = { ...SPEC_CREATE_BODY, kyc_package: { provider: 'sumsub', applicant: { id: 'a1' } } };
      const firstKey = randomUUID();
      const first = await call('POST', '/v1/gate_sessions', { ...auth, 'idempotency-key': firstKey }, body);
      expect(first.status).toBe(201);
      const exchangePort = /0trace partner API listening on http:\/\/localhost:(\d+)/.exec(
        server.output(),
      )![1];
      const onboarded = await fetch(`http://127.0.0.1:${exchangePort}/admin/exchange/partners`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Rotation 0trace' }),
      });
      expect(onboarded.status).toBe(201);
      await server.stop();

      // The switch: the new key seals, the old one still opens. A replay gets the answer sealed before.
      const rotated = { SECRETS_KEY: newKey, SECRETS_KEY_PREVIOUS: oldKey };
      server = await startServerProcess({ ...base, ...rotated });
      const replayed = await call(
        'POST',
        '/v1/gate_sessions',
        { ...auth, 'idempotency-key': firstKey },
        body,
      );
      expect(replayed.status).toBe(201);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(replayed.body).toEqual(first.body);
      const secondKey = randomUUID();
      const second = await call('POST', '/v1/gate_sessions', { ...auth, 'idempotency-key': secondKey }, body);
      expect(second.status).toBe(201);
      await server.stop();

      // Without the old key nothing old opens: reencrypt says so and changes nothing.
      const early = await reencrypt({ SECRETS_KEY: newKey }, true);
      expect(early.code).toBe(1);
      expect(early.stderr).toContain('open with neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS');
      // The 0Gate endpoint's secret and the 0trace partner's webhookSecret.
      expect(early.of('webhook_secrets').unreadable).toBe(2);

      // Re-encrypt with both keys: every old value moves, the new ones stay.
      const moved = await reencrypt(rotated, false);
      expect(moved.code).toBe(0);
      expect(moved.of('gate_sessions')).toMatchObject({ checked: 2, resealed: 1, current: 1, unreadable: 0 });
      expect(moved.of('idempotency_keys')).toMatchObject({ resealed: 2, current: 1, unreadable: 0 });
      expect(moved.of('webhook_secrets')).toMatchObject({ checked: 2, resealed: 2, unreadable: 0 });
      expect(moved.of('exchange_credentials').resealed).toBeGreaterThanOrEqual(1);
      expect(moved.counts.every((c) => c.unreadable === 0 && c.skipped === 0)).toBe(true);

      // The old key is gone: everything opens with the new one alone.
      const done = await reencrypt({ SECRETS_KEY: newKey }, true);
      expect(done.code).toBe(0);
      expect(done.counts.every((c) => c.resealed === 0 && c.unreadable === 0)).toBe(true);

      server = await startServerProcess({ ...base, SECRETS_KEY: newKey });
      for (const [key, answer] of [
        [firstKey, first.body],
        [secondKey, second.body],
      ] as const) {
        const again = await call('POST', '/v1/gate_sessions', { ...auth, 'idempotency-key': key }, body);
        expect(again.status).toBe(201);
        expect(again.body).toEqual(answer);
      }
      // The webhook secret sealed under the old key still signs (the worker opens it with the new key).
      const completed = await call(
        'POST',
        `/v1/test_helpers/sessions/${second.body.id}/complete`,
        { ...auth, 'idempotency-key': randomUUID() },
        {},
      );
      expect(completed.status).toBe(200);
      const delivered = await receiver.waitFor(1, 20_000);
      const signed = delivered.find((r) => r.body.includes('gate_session.completed')) ?? delivered[0]!;
      expect(verifiedByOpenssl(signed.headers['gate-signature'] as string, signed.body, webhookSecret)).toBe(
        true,
      );
    } finally {
      await server?.stop();
      server = undefined;
      await receiver.close();
    }
  }, 150_000);
});
