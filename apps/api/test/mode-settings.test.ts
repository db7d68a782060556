import { randomUUID } from 'node:crypto';
import { SecretBox } from '@0bit/core/secret-box';
import { migrateTo, migrateToLatest } from '@0bit/db/migrate';
import { freshDatabase } from '@0bit/testing/database';
import { send } from '@0bit/testing/http';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { EmbedTokens } from '../src/domain/embed-token.ts';
import { displayPrefix, generateApiKey, hashSecret } from '../src/domain/keys.ts';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

// Issue #14, finding 7: a test key must never change what live accepts ("Modes own their settings").
const server = useTestServer();

const boot = (pk: string, origin: string) =>
  server.call('POST', '/v1/embed/bootstrap', { headers: { ...bearer(pk), origin }, body: {} });
const domains = async (sk: string) =>
  (await server.call('GET', '/portal/allowed-domains', { headers: bearer(sk) })).body.allowed_domains;

describe('allowed domains belong to a mode', () => {
  it('sk_test adds an origin: test bootstrap accepts it, live bootstrap from it is refused, live list unchanged', async () => {
    const p = await server.partner({ allowed_domains: ['https://shop.example'] });
    const put = await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.test.secret_key),
      body: { allowed_domains: ['https://shop.example', 'https://attacker.example'] },
    });
    expect(put.status).toBe(200);
    expect((await boot(p.keys.test.publishable_key, 'https://attacker.example')).status).toBe(200);
    const live = await boot(p.keys.live.publishable_key, 'https://attacker.example');
    expect(live.status).toBe(403);
    expect(live.body.message).toContain('not in your allowed_domains');
    expect(await domains(p.keys.live.secret_key)).toEqual(['https://shop.example']);
    expect(await domains(p.keys.test.secret_key)).toEqual([
      'https://shop.example',
      'https://attacker.example',
    ]);
    expect((await boot(p.keys.live.publishable_key, 'https://shop.example')).status).toBe(200);
  });

  it('sk_test clearing its list leaves live working; sk_live changes only live', async () => {
    const p = await server.partner({ allowed_domains: ['https://shop.example'] });
    await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.test.secret_key),
      body: { allowed_domains: [] },
    });
    expect((await boot(p.keys.live.publishable_key, 'https://shop.example')).status).toBe(200);
    expect((await boot(p.keys.test.publishable_key, 'https://shop.example')).status).toBe(403);
    await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.live.secret_key),
      body: { allowed_domains: ['https://live.example'] },
    });
    expect(await domains(p.keys.test.secret_key)).toEqual([]);
    expect(await domains(p.keys.live.secret_key)).toEqual(['https://live.example']);
  });

  it("a live session's return_url is checked against the live list, not the test one", async () => {
    const p = await server.partner({ allowed_domains: ['https://partner.example'] });
    await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.test.secret_key),
      body: { allowed_domains: ['https://partner.example', 'https://attacker.example'] },
    });
    const body = { ...SPEC_CREATE_BODY, return_url: 'https://attacker.example/done', cancel_url: null };
    const live = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(p.keys.live.secret_key),
      body,
    });
    expect(live.status).toBe(422);
    expect(JSON.stringify(live.body.message)).toContain('not in your allowed_domains');
    const test = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(p.keys.test.secret_key),
      body,
    });
    expect(test.status).toBe(201);
  });

  it('CORS preflight still answers an origin registered in either mode', async () => {
    const p = await server.partner({ allowed_domains: [] });
    await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.test.secret_key),
      body: { allowed_domains: [`https://${randomUUID().slice(0, 8)}.example`] },
    });
    const origin = (await domains(p.keys.test.secret_key))[0];
    const pre = await server.call('OPTIONS', '/v1/embed/bootstrap', {
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
  });
});

describe('operator view', () => {
  it("GET /admin/partners/{id} shows each mode's list; allowed_domains is the live one", async () => {
    const p = await server.partner({ allowed_domains: ['https://shop.example'] });
    await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.test.secret_key),
      body: { allowed_domains: ['http://localhost:5173'] },
    });
    const shown = await server.call('GET', `/admin/partners/${p.partner.id}`, {
      headers: bearer(server.adminToken),
    });
    expect(shown.status).toBe(200);
    expect(shown.body.allowed_domains).toEqual(['https://shop.example']);
    expect(shown.body.allowed_domains_by_mode).toEqual({
      test: ['http://localhost:5173'],
      live: ['https://shop.example'],
    });
  });
});

describe('branding and webhook endpoint belong to a mode', () => {
  it('sk_test branding never shows in live reads or live bootstrap', async () => {
    const p = await server.partner({ allowed_domains: ['https://shop.example'] });
    const patched = await server.call('PATCH', '/v1/branding', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: { brand_name: 'Spoofed', logo_url: 'https://attacker.example/logo.png' },
    });
    expect(patched.status).toBe(200);
    const live = await server.call('GET', '/v1/branding', { headers: bearer(p.keys.live.secret_key) });
    expect(live.body.brand_name).toBeNull();
    expect(live.body.logo_url).toBeNull();
    const liveBoot = await boot(p.keys.live.publishable_key, 'https://shop.example');
    expect(liveBoot.body.branding.brand_name).toBeNull();
    const testBoot = await boot(p.keys.test.publishable_key, 'https://shop.example');
    expect(testBoot.body.branding.brand_name).toBe('Spoofed');
  });

  it('sk_test webhook endpoint is not the live one', async () => {
    const p = await server.partner();
    const put = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: writeHeaders(p.keys.test.secret_key),
      // A loopback URL: the test server is a local-development deployment (test-mode loopback allowed), and a
      // name under .example would not resolve here, which the egress policy refuses at save time.
      body: { url: 'http://127.0.0.1:9/test' },
    });
    expect(put.status).toBe(200);
    const live = await server.call('GET', '/portal/webhook-endpoint', {
      headers: bearer(p.keys.live.secret_key),
    });
    expect(live.status).toBe(404);
  });
});

describe('migration 0008_mode_settings', () => {
  it("copies each partner's shared allowed domains into both modes and keeps branding and endpoints", async () => {
    const database = await freshDatabase({ migrate: false });
    try {
      const db = database.db;
      await migrateTo(db, '0006_widget');
      // Rows as the 0006 schema holds them: one allowed_domains list per partner.
      const partnerId = 'aaaaaaaaaaaaaaaaaaaaaaaa';
      const otherId = 'bbbbbbbbbbbbbbbbbbbbbbbb';
      await sql`
        INSERT INTO partners (id, name, allowed_domains) VALUES
          (${partnerId}, 'Acme', '["https://shop.example","http://localhost:3000"]'),
          (${otherId}, 'Empty', '[]')
      `.execute(db);
      await sql`
        INSERT INTO partner_branding (partner_id, mode, brand_name) VALUES (${partnerId}, 'live', 'Acme Live')
      `.execute(db);
      await sql`
        INSERT INTO webhook_endpoints (partner_id, mode, url) VALUES (${partnerId}, 'live', 'https://hooks.example/live')
      `.execute(db);
      const keys = {
        test: generateApiKey('publishable', 'test'),
        live: generateApiKey('publishable', 'live'),
      };
      for (const mode of ['test', 'live'] as const)
        await sql`
          INSERT INTO api_keys (id, partner_id, kind, mode, key_hash, display_prefix)
          VALUES (${randomUUID().replaceAll('-', '').slice(0, 24)}, ${partnerId}, 'publishable', ${mode},
                  ${hashSecret(keys[mode])}, ${displayPrefix(keys[mode])})
        `.execute(db);

      expect(await migrateTo(db, '0008_mode_settings')).toContain('0008_mode_settings');
      const rows = await sql<{ partner_id: string; mode: string; allowed_domains: string[] }>`
        SELECT partner_id, mode, allowed_domains FROM partner_allowed_domains ORDER BY partner_id, mode
      `.execute(db);
      expect(rows.rows).toEqual([
        {
          partner_id: partnerId,
          mode: 'live',
          allowed_domains: ['https://shop.example', 'http://localhost:3000'],
        },
        {
          partner_id: partnerId,
          mode: 'test',
          allowed_domains: ['https://shop.example', 'http://localhost:3000'],
        },
        { partner_id: otherId, mode: 'live', allowed_domains: [] },
        { partner_id: otherId, mode: 'test', allowed_domains: [] },
      ]);
      await migrateToLatest(db);

      // And the running API agrees: both modes bootstrap from the migrated origin; live settings kept.
      const app = await buildApp({
        db,
        box: new SecretBox(SecretBox.generateKey()),
        adminToken: `adm_${randomUUID()}`,
        counter: null,
        tokens: new EmbedTokens([{ kid: 'k', secret: 'x'.repeat(16) + randomUUID() }], 3600),
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
        for (const mode of ['test', 'live'] as const) {
          const res = await send(base, 'POST', '/v1/embed/bootstrap', {
            headers: { ...bearer(keys[mode]), origin: 'https://shop.example' },
            body: {},
          });
          expect(res.status).toBe(200);
          expect(res.body.branding.brand_name).toBe(mode === 'live' ? 'Acme Live' : null);
        }
      } finally {
        await app.close();
      }
      const endpoint = await db.selectFrom('webhook_endpoints').selectAll().execute();
      expect(endpoint).toMatchObject([
        { partner_id: partnerId, mode: 'live', url: 'https://hooks.example/live' },
      ]);
    } finally {
      await database.close();
    }
  });
});
