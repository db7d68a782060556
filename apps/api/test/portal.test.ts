import { randomUUID } from 'node:crypto';
import { usingPostgres } from '@0bit/testing/database';
import { sql } from 'kysely';
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

  /** A partner with `n` active test secret keys; returns the ids and one of the raw keys to call with. */
  async function partnerWithSecretKeys(n: number) {
    const { partner, keys } = await server.partner();
    const sk = keys.test.secret_key;
    for (let i = 1; i < n; i++)
      await server.call('POST', '/portal/keys', { headers: writeHeaders(sk), body: { type: 'secret' } });
    const list = await server.call('GET', '/portal/keys', { headers: bearer(sk) });
    const ids: string[] = list.body.data
      .filter((k: { type: string }) => k.type === 'secret')
      .map((k: { id: string }) => k.id);
    expect(ids).toHaveLength(n);
    return { partnerId: partner.id, sk, ids };
  }

  it('answers 200, never 500, to many revocations of one partner at once, then 409 for the last key', async () => {
    const { sk, ids } = await partnerWithSecretKeys(8);
    // The caller's own key stays out of the burst: once revoked it would authenticate nothing (403).
    const list = await server.call('GET', '/portal/keys', { headers: bearer(sk) });
    const own = list.body.data.find((k: { display_prefix: string }) => sk.startsWith(k.display_prefix)).id;
    const others = ids.filter((id) => id !== own);
    const results = await Promise.all(
      others.map((id) =>
        server.call('POST', `/portal/keys/${id}/revoke`, { headers: writeHeaders(sk), body: {} }),
      ),
    );
    expect(
      results.map((r) => r.status),
      JSON.stringify(results.map((r) => r.body)),
    ).toEqual(Array(7).fill(200));
    const last = await server.call('POST', `/portal/keys/${own}/revoke`, {
      headers: writeHeaders(sk),
      body: {},
    });
    expect(last.status).toBe(409);
    expect(last.body.message).toContain('last active test secret key');
  });

  // The idempotency claim inserts a row referencing the partner (a FOR KEY SHARE lock on the partner row),
  // then the revocation locks the partner row. If that lock conflicted with FOR KEY SHARE (FOR UPDATE did),
  // two revocations that both claimed their key before either locked the partner waited on each other, and
  // PostgreSQL broke the deadlock by failing one of them: a 500. Here a transaction holding FOR SHARE on the
  // partner row lets both claims through and holds both revocations at the partner lock, then lets go.
  it.skipIf(!usingPostgres())(
    'answers 200 and 409 when two revocations both claimed their Idempotency-Key before locking the partner',
    async () => {
      const { partnerId, sk, ids } = await partnerWithSecretKeys(2);
      const db = server.database.db;
      const waiting = () =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
      let release!: () => void;
      const released = new Promise<void>((r) => {
        release = r;
      });
      let holding!: () => void;
      const held = new Promise<void>((r) => {
        holding = r;
      });
      const holder = db.transaction().execute(async (trx) => {
        await sql`SELECT id FROM partners WHERE id = ${partnerId} FOR SHARE`.execute(trx);
        holding();
        await released;
      });
      await held;
      const revocations = Promise.all(
        ids.map((id) =>
          server.call('POST', `/portal/keys/${id}/revoke`, { headers: writeHeaders(sk), body: {} }),
        ),
      );
      try {
        const deadline = Date.now() + 20_000;
        while ((await waiting()).rows[0]!.n < 2) {
          if (Date.now() > deadline) throw new Error('the two revocations never waited on the partner lock');
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        release();
        await holder;
      }
      const results = await revocations;
      expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([
        200, 409,
      ]);
    },
  );

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
