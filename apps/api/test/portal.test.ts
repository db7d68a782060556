import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();
const listSessions = (key: string) => server.call('GET', '/v1/gate_sessions', { headers: bearer(key) });

describe('portal keys', () => {
  it('creates a key shown once, lists it without the raw value, and revoking it makes it 403', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const created = await server.call('POST', '/portal/keys', {
      headers: writeHeaders(sk),
      body: { type: 'secret' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sk_test_[A-Za-z0-9]{32}$/);
    expect(created.body).toMatchObject({
      type: 'secret',
      mode: 'test',
      display_prefix: created.body.key.slice(0, 12),
      revoked_at: null,
    });
    expect((await listSessions(created.body.key)).status).toBe(200);

    const list = await server.call('GET', '/portal/keys', { headers: bearer(sk) });
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(list.body.data.every((k: { mode: string }) => k.mode === 'test')).toBe(true);
    expect(list.text).not.toContain(created.body.key);
    expect(list.text).not.toContain(sk);

    const revoked = await server.call('POST', `/portal/keys/${created.body.id}/revoke`, {
      headers: writeHeaders(sk),
      body: {},
    });
    expect(revoked.status).toBe(200);
    expect(Date.parse(revoked.body.revoked_at)).toBeLessThanOrEqual(Date.now() + 1000);
    const after = await listSessions(created.body.key);
    expect(after.status).toBe(403);
    expect(after.body.message).toContain('revoked');
  });

  it('rolls a key gracefully with expires_in: it works until then, and not after', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const created = await server.call('POST', '/portal/keys', {
      headers: writeHeaders(sk),
      body: { type: 'publishable' },
    });
    const list = await server.call('GET', '/portal/keys', { headers: bearer(sk) });
    const original = list.body.data.find((k: { type: string; id: string }) => k.type === 'secret');
    const rolled = await server.call('POST', `/portal/keys/${original.id}/revoke`, {
      headers: writeHeaders(sk),
      body: { expires_in: 2 },
    });
    // The original was the only active secret key: rolling it needs another one first.
    expect(rolled.status).toBe(409);
    const replacement = await server.call('POST', '/portal/keys', {
      headers: writeHeaders(sk),
      body: { type: 'secret' },
    });
    const ok = await server.call('POST', `/portal/keys/${original.id}/revoke`, {
      headers: writeHeaders(sk),
      body: { expires_in: 2 },
    });
    expect(ok.status).toBe(200);
    expect(Date.parse(ok.body.revoked_at) - Date.now()).toBeGreaterThan(1000);
    expect((await listSessions(sk)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2200));
    expect((await listSessions(sk)).status).toBe(403);
    expect((await listSessions(replacement.body.key)).status).toBe(200);
    expect(created.body.type).toBe('publishable');
  });

  it('never lets a mode lose its last active secret key, even with two revocations at once', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const second = await server.call('POST', '/portal/keys', {
      headers: writeHeaders(sk),
      body: { type: 'secret' },
    });
    const list = await server.call('GET', '/portal/keys', { headers: bearer(sk) });
    const secretIds = list.body.data
      .filter((k: { type: string }) => k.type === 'secret')
      .map((k: { id: string }) => k.id);
    expect(secretIds).toHaveLength(2);
    const results = await Promise.all(
      secretIds.map((id: string) =>
        server.call('POST', `/portal/keys/${id}/revoke`, {
          headers: writeHeaders(second.body.key),
          body: {},
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.message).toContain('last active test secret key');
  });

  it('answers 404 for a key of another partner or mode, and refuses publishable keys on the portal', async () => {
    const a = await server.partner();
    const b = await server.partner();
    const bKeys = await server.call('GET', '/portal/keys', { headers: bearer(b.keys.test.secret_key) });
    const res = await server.call('POST', `/portal/keys/${bKeys.body.data[0].id}/revoke`, {
      headers: writeHeaders(a.keys.test.secret_key),
      body: {},
    });
    expect(res.status).toBe(404);
    const liveList = await server.call('GET', '/portal/keys', { headers: bearer(a.keys.live.secret_key) });
    const fromTest = await server.call('POST', `/portal/keys/${liveList.body.data[0].id}/revoke`, {
      headers: writeHeaders(a.keys.test.secret_key),
      body: {},
    });
    expect(fromTest.status).toBe(404);
    expect(
      (await server.call('GET', '/portal/keys', { headers: bearer(a.keys.test.publishable_key) })).status,
    ).toBe(403);
    expect(
      (
        await server.call('POST', '/portal/keys', {
          headers: writeHeaders(a.keys.test.secret_key),
          body: { type: 'admin' },
        })
      ).status,
    ).toBe(422);
  });
});

describe('portal allowed domains', () => {
  it('replaces the list, and bootstrap follows it at once', async () => {
    const p = await server.partner({ allowed_domains: ['https://old.example'] });
    const sk = p.keys.test.secret_key;
    const put = await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(sk),
      body: { allowed_domains: ['https://shop.example', 'http://localhost:3000', 'https://shop.example'] },
    });
    expect(put.status).toBe(200);
    expect(put.body.allowed_domains).toEqual(['https://shop.example', 'http://localhost:3000']);
    expect(
      (await server.call('GET', '/portal/allowed-domains', { headers: bearer(sk) })).body.allowed_domains,
    ).toEqual(['https://shop.example', 'http://localhost:3000']);
    const boot = (origin: string) =>
      server.call('POST', '/v1/embed/bootstrap', {
        headers: { ...bearer(p.keys.test.publishable_key), origin },
        body: {},
      });
    expect((await boot('https://shop.example')).status).toBe(200);
    expect((await boot('https://old.example')).status).toBe(403);
  });

  it.each([
    ['path', 'https://shop.example/cart'],
    ['wildcard', 'https://*.shop.example'],
    ['trailing slash', 'https://shop.example/'],
    ['not a URL', 'shop.example'],
  ])('refuses a %s', async (_name, origin) => {
    const { keys } = await server.partner();
    const res = await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(keys.test.secret_key),
      body: { allowed_domains: [origin] },
    });
    expect(res.status).toBe(422);
  });

  it('with a live key accepts only https (and localhost); live bootstrap refuses http pages', async () => {
    const p = await server.partner({ allowed_domains: ['http://shop.example'] });
    const live = await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.live.secret_key),
      body: { allowed_domains: ['http://shop.example'] },
    });
    expect(live.status).toBe(422);
    expect(live.body.message[0]).toContain('https for live');
    const ok = await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.live.secret_key),
      body: { allowed_domains: ['https://shop.example', 'http://localhost:5173'] },
    });
    expect(ok.status).toBe(200);
    await server.call('PUT', '/portal/allowed-domains', {
      headers: bearer(p.keys.test.secret_key),
      body: { allowed_domains: ['http://shop.example'] },
    });
    const boot = (key: string) =>
      server.call('POST', '/v1/embed/bootstrap', {
        headers: { ...bearer(key), origin: 'http://shop.example' },
        body: {},
      });
    expect((await boot(p.keys.test.publishable_key)).status).toBe(200);
    const liveBoot = await boot(p.keys.live.publishable_key);
    expect(liveBoot.status).toBe(403);
    expect(liveBoot.body.message).toContain('https');
  });

  it('keeps replayed key creation idempotent: same key, same raw key', async () => {
    const { keys } = await server.partner();
    const headers = writeHeaders(keys.test.secret_key, randomUUID());
    const a = await server.call('POST', '/portal/keys', { headers, body: { type: 'secret' } });
    const b = await server.call('POST', '/portal/keys', { headers, body: { type: 'secret' } });
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.body.key).toBe(a.body.key);
    await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(a.body.key),
      body: SPEC_CREATE_BODY,
    });
  });
});
