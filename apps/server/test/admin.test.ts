import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from '@0bit/api/test-support/server';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { runScript } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';

const server = useTestServer();

const admin = () => bearer(server.adminToken);

describe('admin API', () => {
  it('creates a partner with four working keys shown once', async () => {
    const res = await server.call('POST', '/admin/partners', {
      headers: admin(),
      body: { name: 'Acme', allowed_domains: ['https://partner.example'], kyc_trusted: false },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.partner).sort()).toEqual([
      'allowed_domains',
      'created_at',
      'id',
      'kyc_trusted',
      'name',
    ]);
    const { keys } = res.body;
    expect(keys.test.publishable_key).toMatch(/^pk_test_[A-Za-z0-9]{32}$/);
    expect(keys.test.secret_key).toMatch(/^sk_test_[A-Za-z0-9]{32}$/);
    expect(keys.live.publishable_key).toMatch(/^pk_live_[A-Za-z0-9]{32}$/);
    expect(keys.live.secret_key).toMatch(/^sk_live_[A-Za-z0-9]{32}$/);

    const session = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    expect(session.status).toBe(201);
    expect(session.body.partner_id).toBe(res.body.partner.id);

    const shown = await server.call('GET', `/admin/partners/${res.body.partner.id}`, { headers: admin() });
    expect(shown.status).toBe(200);
    expect(shown.body.keys).toHaveLength(4);
    for (const k of shown.body.keys) {
      expect(Object.keys(k).sort()).toEqual([
        'created_at',
        'display_prefix',
        'id',
        'last_used_at',
        'mode',
        'revoked_at',
        'type',
      ]);
      expect(k.display_prefix).toMatch(/^(pk|sk)_(test|live)_[A-Za-z0-9]{4}$/);
    }
    for (const raw of Object.values(keys).flatMap((pair) => Object.values(pair as object)))
      expect(shown.text).not.toContain(raw);
    const stored = await server.database.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(keys.test.secret_key);
  });

  it('lists partners newest first with a cursor', async () => {
    const ids = [];
    for (const name of ['L1', 'L2', 'L3'])
      ids.push(
        (await server.call('POST', '/admin/partners', { headers: admin(), body: { name } })).body.partner.id,
      );
    const page = await server.call('GET', '/admin/partners?limit=2', { headers: admin() });
    expect(page.body.data.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    expect(page.body.has_more).toBe(true);
    const next = await server.call('GET', `/admin/partners?limit=1&starting_after=${ids[1]}`, {
      headers: admin(),
    });
    expect(next.body.data[0].id).toBe(ids[0]);
  });

  it('toggles kyc_trusted, which gates kyc_package', async () => {
    const created = await server.call('POST', '/admin/partners', {
      headers: admin(),
      body: { name: 'KYC', allowed_domains: ['https://partner.example'] },
    });
    const sk = created.body.keys.test.secret_key;
    const body = { ...SPEC_CREATE_BODY, kyc_package: { provider: 'onfido' } };
    expect((await server.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body })).status).toBe(
      403,
    );
    const patched = await server.call('PATCH', `/admin/partners/${created.body.partner.id}/kyc-trusted`, {
      headers: admin(),
      body: { kyc_trusted: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.kyc_trusted).toBe(true);
    expect((await server.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body })).status).toBe(
      201,
    );
  });

  it.each([
    ['no name', {}, 422],
    ['blank name', { name: '   ' }, 422],
    ['wildcard domain', { name: 'x', allowed_domains: ['https://*.example'] }, 422],
    ['domain with path', { name: 'x', allowed_domains: ['https://a.example/shop'] }, 422],
    ['domain with trailing slash', { name: 'x', allowed_domains: ['https://a.example/'] }, 422],
    ['upper-case host', { name: 'x', allowed_domains: ['https://A.example'] }, 422],
    ['ftp domain', { name: 'x', allowed_domains: ['ftp://a.example'] }, 422],
    ['unknown field', { name: 'x', tier: 'gold' }, 422],
  ])('refuses %s', async (_name, body, status) => {
    const res = await server.call('POST', '/admin/partners', { headers: admin(), body });
    expect(res.status).toBe(status);
    expect(res.body.statusCode).toBe(status);
  });

  it('answers 404 for an unknown partner', async () => {
    expect(
      (await server.call('GET', '/admin/partners/ffffffffffffffffffffffff', { headers: admin() })).status,
    ).toBe(404);
    expect((await server.call('GET', '/admin/partners/nope', { headers: admin() })).status).toBe(404);
  });
});

describe('admin CLI', () => {
  it('creates, lists, shows and flags a partner through npm run admin', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gate-cli-'));
    const target = usingPostgres() ? await createTestDatabase() : null;
    const env = { DATA_DIR: dataDir, DATABASE_URL: target?.url ?? '' };
    try {
      const created = await runScript(
        'apps/server/src/cli/admin.ts',
        [
          'partners',
          'create',
          '--name',
          'Acme',
          '--domain',
          'https://acme.example',
          '--owner-email',
          'Owner@Acme.example',
        ],
        { ...env, HUB_PUBLIC_URL: 'https://hub.acme.example' },
      );
      expect(created.code).toBe(0);
      const out = JSON.parse(created.stdout);
      // The owner's one-time Partner Hub invitation (docs/hub.md), on the Hub's public URL.
      expect(out.owner_invitation.email).toBe('owner@acme.example');
      expect(out.owner_invitation.url).toMatch(
        /^https:\/\/hub\.acme\.example\/invitations\/[A-Za-z0-9_-]{43}$/,
      );
      expect(out.partner.allowed_domains).toEqual(['https://acme.example']);
      expect(out.keys.test.secret_key).toMatch(/^sk_test_/);
      const list = await runScript('apps/server/src/cli/admin.ts', ['partners', 'list'], env);
      expect(JSON.parse(list.stdout).data.map((p: { id: string }) => p.id)).toContain(out.partner.id);
      const flagged = await runScript(
        'apps/server/src/cli/admin.ts',
        ['partners', 'kyc-trusted', out.partner.id, 'true'],
        env,
      );
      expect(JSON.parse(flagged.stdout).kyc_trusted).toBe(true);
      const limited = await runScript(
        'apps/server/src/cli/admin.ts',
        ['partners', 'customer-limits', out.partner.id, 'EUR=1000,USD=1200.5'],
        env,
      );
      expect(JSON.parse(limited.stdout)).toEqual({
        id: out.partner.id,
        customer_daily_limits: { EUR: '1000.00', USD: '1200.50' },
      });
      const shown = await runScript(
        'apps/server/src/cli/admin.ts',
        ['partners', 'show', out.partner.id],
        env,
      );
      expect(JSON.parse(shown.stdout).keys).toHaveLength(4);
      expect(shown.stdout).not.toContain(out.keys.test.secret_key);
      const bad = await runScript(
        'apps/server/src/cli/admin.ts',
        ['partners', 'create', '--name', 'B', '--domain', 'https://b.example/'],
        env,
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('did you mean "https://b.example"');
    } finally {
      await target?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000); // six CLI processes, each starting TypeScript and a database: slow on a busy machine
});
