import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  SPEC_CREATE_BODY,
  startTestServer,
  type TestPartner,
  useTestServer,
  writeHeaders,
} from './support/server.ts';

const server = useTestServer({
  hostModes: 'gate-api-sandbox.0bit.app=test,gate-api.0bit.app=live,127.0.0.1=test+live',
});
let p: TestPartner;
let sessionId: string;
beforeAll(async () => {
  p = await server.partner();
  const created = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(p.keys.test.secret_key),
    body: SPEC_CREATE_BODY,
  });
  sessionId = created.body.id;
});

const retrieve = (headers: Record<string, string>, path = `/v1/gate_sessions/${sessionId}`) =>
  server.call('GET', path, { headers });

describe('credentials', () => {
  it('accepts Authorization: Bearer and the X-Secret-Key equivalent', async () => {
    expect((await retrieve(bearer(p.keys.test.secret_key))).status).toBe(200);
    expect((await retrieve({ 'x-secret-key': p.keys.test.secret_key })).status).toBe(200);
    expect((await retrieve({ authorization: `bearer ${p.keys.test.secret_key}` })).status).toBe(200);
  });

  it.each([
    ['missing', {}, 401, 'Missing API key'],
    ['not bearer', { authorization: `Basic ${p?.keys.test.secret_key}` }, 401, 'Authorization'],
    ['malformed prefix', { authorization: 'Bearer sk_prod_abc' }, 401, 'Malformed API key'],
    ['too short', { authorization: 'Bearer sk_test_abc' }, 401, 'Malformed API key'],
    ['non-alphanumeric', { authorization: `Bearer sk_test_${'-'.repeat(32)}` }, 401, 'Malformed API key'],
    [
      'unknown but well-formed',
      { authorization: `Bearer sk_test_${'A'.repeat(32)}` },
      401,
      'Invalid API key',
    ],
  ])('%s → %i', async (_name, headers, status, text) => {
    const res = await retrieve(headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, error: 'Unauthorized' });
    expect(res.body.message).toContain(text);
  });

  it('answers a publishable key on a secret-key route with 403', async () => {
    const res = await retrieve(bearer(p.keys.test.publishable_key));
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('Forbidden');
    expect(res.body.message).toContain('secret key');
    const header = await retrieve({ 'x-publishable-key': p.keys.test.publishable_key });
    expect(header.status).toBe(403);
  });

  it('never accepts a secret key in the query string, and never echoes it', async () => {
    const res = await retrieve({}, `/v1/gate_sessions/${sessionId}?secret_key=${p.keys.test.secret_key}`);
    expect(res.status).toBe(401);
    expect(res.body.message).toContain('never accepted in a URL');
    expect(res.text).not.toContain(p.keys.test.secret_key);
    const alongside = await retrieve(
      bearer(p.keys.test.secret_key),
      `/v1/gate_sessions?api_key=${p.keys.test.secret_key}`,
    );
    expect(alongside.status).toBe(401);
  });

  it('never accepts a secret key anywhere else in a URL either (path, inside a value, encoded), and never echoes it', async () => {
    const key = p.keys.test.secret_key;
    for (const url of [
      `/v1/gate_sessions/${key}`,
      `/v1/gate_sessions?x=Bearer+${key}`,
      `/v1/gate_sessions?x=${encodeURIComponent(`Bearer ${key}`)}`,
      `/v1/gate_sessions/${key.replace('_', '%5F')}`,
    ]) {
      const res = await retrieve({}, url);
      expect(res.status, url).toBe(401);
      expect(res.body.message).toContain('never accepted in a URL');
      expect(res.text).not.toContain(key);
    }
  });

  it('answers a revoked key with 403, and a key rolled for the future still works', async () => {
    const other = await server.partner();
    await server.database.db
      .updateTable('api_keys')
      .set({ revoked_at: sql`now()` })
      .where('partner_id', '=', other.partner.id)
      .where('kind', '=', 'secret')
      .where('mode', '=', 'test')
      .execute();
    const revoked = await server.call('GET', '/v1/gate_sessions', {
      headers: bearer(other.keys.test.secret_key),
    });
    expect(revoked.status).toBe(403);
    expect(revoked.body.message).toContain('revoked');
    await server.database.db
      .updateTable('api_keys')
      .set({ revoked_at: sql`now() + interval '1 hour'` })
      .where('partner_id', '=', other.partner.id)
      .where('kind', '=', 'secret')
      .where('mode', '=', 'live')
      .execute();
    const rolling = await server.call('GET', '/v1/gate_sessions', {
      headers: bearer(other.keys.live.secret_key),
    });
    expect(rolling.status).toBe(200);
  });

  it('records when a key was last used', async () => {
    const fresh = await server.partner();
    await server.call('GET', '/v1/gate_sessions', { headers: bearer(fresh.keys.test.secret_key) });
    await expect
      .poll(async () => {
        const row = await server.database.db
          .selectFrom('api_keys')
          .select('last_used_at')
          .where('partner_id', '=', fresh.partner.id)
          .where('kind', '=', 'secret')
          .where('mode', '=', 'test')
          .executeTakeFirstOrThrow();
        return row.last_used_at !== null;
      })
      .toBe(true);
  });
});

describe('host ⇄ mode binding', () => {
  const list = (host: string, key: string) =>
    server.call('GET', '/v1/gate_sessions', { headers: { ...bearer(key), host } });

  it('serves test keys on the sandbox host and live keys on the production host', async () => {
    expect((await list('gate-api-sandbox.0bit.app', p.keys.test.secret_key)).status).toBe(200);
    expect((await list('gate-api.0bit.app', p.keys.live.secret_key)).status).toBe(200);
    expect((await list('GATE-API.0bit.app:443', p.keys.live.secret_key)).status).toBe(200);
  });

  it('refuses a key whose mode the host does not serve with 403', async () => {
    const testOnLive = await list('gate-api.0bit.app', p.keys.test.secret_key);
    expect(testOnLive.status).toBe(403);
    expect(testOnLive.body.message).toContain('does not serve test mode');
    const liveOnSandbox = await list('gate-api-sandbox.0bit.app', p.keys.live.secret_key);
    expect(liveOnSandbox.status).toBe(403);
    expect(liveOnSandbox.body.message).toContain('does not serve live mode');
  });

  it('refuses any key on a host that is not configured', async () => {
    const res = await list('evil.example', p.keys.test.secret_key);
    expect(res.status).toBe(403);
  });
});

describe('admin token', () => {
  it('guards /admin routes and compares the token exactly', async () => {
    expect((await server.call('GET', '/admin/partners')).status).toBe(401);
    expect(
      (await server.call('GET', '/admin/partners', { headers: bearer(`${server.adminToken}x`) })).status,
    ).toBe(401);
    expect(
      (await server.call('GET', '/admin/partners', { headers: bearer(p.keys.test.secret_key) })).status,
    ).toBe(401);
    expect((await server.call('GET', '/admin/partners', { headers: bearer(server.adminToken) })).status).toBe(
      200,
    );
  });

  it('does not let partner keys reach admin routes nor the admin token reach partner routes', async () => {
    const res = await server.call('GET', '/v1/gate_sessions', { headers: bearer(server.adminToken) });
    expect(res.status).toBe(401);
  });
});

describe('key lookup cache (KEY_CACHE_TTL_MS)', () => {
  it('lets a revocation reach a caching instance within the TTL, and no later', async () => {
    const cached = await startTestServer({ keyCacheTtlMs: 1000 });
    try {
      const other = await cached.partner();
      const sk = other.keys.test.secret_key;
      expect((await cached.call('GET', '/v1/gate_sessions', { headers: bearer(sk) })).status).toBe(200);
      await cached.database.db
        .updateTable('api_keys')
        .set({ revoked_at: sql`now()` })
        .where('partner_id', '=', other.partner.id)
        .execute();
      // Within the TTL the cached lookup still answers…
      expect((await cached.call('GET', '/v1/gate_sessions', { headers: bearer(sk) })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      // …and after it the revocation holds.
      expect((await cached.call('GET', '/v1/gate_sessions', { headers: bearer(sk) })).status).toBe(403);
      // Unknown keys are never cached: a made-up key is 401 every time.
      const unknown = `sk_test_${'Z'.repeat(32)}`;
      expect((await cached.call('GET', '/v1/gate_sessions', { headers: bearer(unknown) })).status).toBe(401);
    } finally {
      await cached.close();
    }
  });
});
