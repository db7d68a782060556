import type { Mode } from '@0bit/core/scope';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  SPEC_CREATE_BODY,
  type TestPartner,
  useTestServer,
  WIDGET_ORIGINS,
  writeHeaders,
} from './support/server.ts';

const server = useTestServer({
  hostModes: 'gate-api-sandbox.0bit.app=test,gate-api.0bit.app=live,127.0.0.1=test+live',
});
const PAGE = 'https://partner.example';
let p: TestPartner;
beforeAll(async () => {
  p = await server.partner({ allowed_domains: [PAGE, 'http://localhost:5173'] });
});

const bootstrap = (headers: Record<string, string | undefined>, body: unknown = {}, query = '') =>
  server.call('POST', `/v1/embed/bootstrap${query}`, { headers: { ...headers }, body });

async function openSession(partner: TestPartner = p, mode: Mode = 'test') {
  const res = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(partner.keys[mode].secret_key),
    body: { ...SPEC_CREATE_BODY, wallet_address: '0xabc' },
  });
  return res.body as { id: string; client_secret: string };
}

describe('POST /v1/embed/bootstrap: origin matrix', () => {
  const cases: Array<[string, Record<string, string>, number]> = [
    ['exact allowed origin', { origin: PAGE }, 200],
    ['second allowed origin with a port', { origin: 'http://localhost:5173' }, 200],
    ['trailing slash', { origin: `${PAGE}/` }, 403],
    ['other port', { origin: 'https://partner.example:8443' }, 403],
    ['other scheme', { origin: 'http://partner.example' }, 403],
    ['upper-case host', { origin: 'https://PARTNER.example' }, 403],
    ['subdomain (no wildcards)', { origin: 'https://shop.partner.example' }, 403],
    ['wildcard origin', { origin: '*' }, 403],
    ['"null" origin', { origin: 'null' }, 403],
    ['no Origin, allowed Referer', { referer: `${PAGE}/checkout?step=2` }, 200],
    ['no Origin, other Referer', { referer: 'https://evil.example/page' }, 403],
    ['neither Origin nor Referer', {}, 403],
    ['widget origin without a clientSecret', { origin: WIDGET_ORIGINS.test }, 403],
  ];
  it.each(cases)('%s → %i', async (_name, originHeaders, status) => {
    const res = await bootstrap({ ...bearer(p.keys.test.publishable_key), ...originHeaders });
    expect(res.status).toBe(status);
    if (status !== 200) {
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(res.body).not.toHaveProperty('token');
    }
  });

  it('lets the hosted widget origin bootstrap itself with a valid clientSecret (redirect mode)', async () => {
    const session = await openSession();
    const res = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: WIDGET_ORIGINS.test },
      { clientSecret: session.client_secret },
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.token).origin).toBe(WIDGET_ORIGINS.test);
    // The live widget origin is not the test one.
    const other = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: WIDGET_ORIGINS.live },
      { clientSecret: session.client_secret },
    );
    expect(other.status).toBe(403);
  });

  it('refuses an origin another partner registered', async () => {
    const other = await server.partner({ allowed_domains: ['https://other.example'] });
    const res = await bootstrap({ ...bearer(p.keys.test.publishable_key), origin: 'https://other.example' });
    expect(res.status).toBe(403);
    expect(other.partner.allowed_domains).toEqual(['https://other.example']);
  });
});

describe('POST /v1/embed/bootstrap: credentials', () => {
  it('accepts the publishable key as Bearer, X-Publishable-Key or ?publishable_key=', async () => {
    expect((await bootstrap({ ...bearer(p.keys.test.publishable_key), origin: PAGE })).status).toBe(200);
    expect((await bootstrap({ 'x-publishable-key': p.keys.test.publishable_key, origin: PAGE })).status).toBe(
      200,
    );
    expect(
      (await bootstrap({ origin: PAGE }, {}, `?publishable_key=${p.keys.test.publishable_key}`)).status,
    ).toBe(200);
  });

  it('answers a secret key with 403 telling to keep it server-side, and never takes one from the URL', async () => {
    const res = await bootstrap({ ...bearer(p.keys.test.secret_key), origin: PAGE });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('server-side');
    const query = await bootstrap({ origin: PAGE }, {}, `?publishable_key=${p.keys.test.secret_key}`);
    expect(query.status).toBe(401);
    expect(query.text).not.toContain(p.keys.test.secret_key);
    expect((await bootstrap({ origin: PAGE })).status).toBe(401);
  });

  it('carries the mode of the key: a live pk gives a live token', async () => {
    const res = await bootstrap({ ...bearer(p.keys.live.publishable_key), origin: PAGE });
    expect(res.body.mode).toBe('live');
    expect(decodeJwt(res.body.token).mode).toBe('live');
  });
});

describe('POST /v1/embed/bootstrap: the response and its token', () => {
  it('returns the session-bound terms, branding and a token with exactly the documented claims', async () => {
    const session = await openSession();
    const res = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: PAGE },
      { clientSecret: session.client_secret },
    );
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'token',
        'expires_at',
        'partner_id',
        'mode',
        'session_id',
        'amount',
        'currency',
        'target_token',
        'target_network',
        'return_url',
        'cancel_url',
        'flow',
        'wallet_address',
        'lock_wallet_address', // addition of issue #15: the widget shows a locked wallet read-only
        'kyc_pre_verified',
        'branding',
        'available',
        'unavailable_reason',
      ].sort(),
    );
    expect(res.body).toMatchObject({
      partner_id: p.partner.id,
      mode: 'test',
      session_id: session.id,
      amount: '100.00',
      currency: 'EUR',
      target_token: 'USDT',
      target_network: 'arbitrum',
      flow: 'on_ramp',
      wallet_address: '0xabc',
      kyc_pre_verified: false,
      available: true,
      unavailable_reason: null,
      branding: {
        logo_url: null,
        primary_color: null,
        secondary_color: null,
        accent_color: null,
        brand_name: null,
      },
    });
    expect(decodeProtectedHeader(res.body.token)).toMatchObject({ alg: 'HS256', kid: 'k2' });
    const claims = decodeJwt(res.body.token);
    expect(Object.keys(claims).sort()).toEqual([
      'exp',
      'iat',
      'kid',
      'mode',
      'origin',
      'partner_id',
      'scope',
      'session_id',
    ]);
    expect(claims).toMatchObject({
      partner_id: p.partner.id,
      kid: 'k2',
      mode: 'test',
      origin: PAGE,
      scope: 'embed',
      session_id: session.id,
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Date.parse(res.body.expires_at) / 1000).toBe(claims.exp);
    expect(res.text).not.toContain(session.client_secret);
  });

  it('issues a token without session_id when no clientSecret is sent', async () => {
    const res = await bootstrap({ ...bearer(p.keys.test.publishable_key), origin: PAGE });
    expect(res.body.session_id).toBeNull();
    expect(res.body.amount).toBeNull();
    expect(decodeJwt(res.body.token)).not.toHaveProperty('session_id');
  });

  it.each([
    ['malformed', () => 'gsec_nope', 400],
    ['unknown', () => `gsec_${'a'.repeat(24)}_${'B'.repeat(32)}`, 403],
  ])('answers a %s clientSecret with %i', async (_name, secret, status) => {
    const res = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: PAGE },
      { clientSecret: secret() },
    );
    expect(res.status).toBe(status);
  });

  it('refuses a clientSecret of another partner or of the other mode with 403', async () => {
    const other = await server.partner({ allowed_domains: [PAGE] });
    const theirs = await openSession(other);
    const live = await openSession(p, 'live');
    for (const secret of [theirs.client_secret, live.client_secret]) {
      const res = await bootstrap(
        { ...bearer(p.keys.test.publishable_key), origin: PAGE },
        { clientSecret: secret },
      );
      expect(res.status).toBe(403);
    }
  });

  it('answers 409 for a cancelled session and for one past its deadline (expiring it once)', async () => {
    const cancelled = await openSession();
    await server.call('POST', `/v1/gate_sessions/${cancelled.id}/cancel`, {
      headers: writeHeaders(p.keys.test.secret_key),
    });
    const res = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: PAGE },
      { clientSecret: cancelled.client_secret },
    );
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('cancelled');

    const short = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, expires_at: new Date(Date.now() + 1500).toISOString() },
    });
    await new Promise((r) => setTimeout(r, 1700));
    const expired = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: PAGE },
      { clientSecret: short.body.client_secret },
    );
    expect(expired.status).toBe(409);
    expect(expired.body.message).toContain('expired');
    const events = await server.call('GET', '/v1/events?type=gate_session.expired', {
      headers: bearer(p.keys.test.secret_key),
    });
    expect(
      events.body.data.filter((e: { data: { id: string } }) => e.data.id === short.body.id),
    ).toHaveLength(1);
  });
});

describe('CORS', () => {
  it('answers a preflight from a registered origin with exactly that origin, never *', async () => {
    const res = await server.call('OPTIONS', '/v1/embed/bootstrap', {
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toContain('authorization');
    expect(res.headers.vary).toContain('Origin');
  });

  it.each([
    'https://evil.example',
    'null',
    `${PAGE}.evil.example`,
  ])('refuses a preflight from %s without any CORS header', async (origin) => {
    const res = await server.call('OPTIONS', '/v1/embed/bootstrap', {
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds no CORS header to a POST from an unregistered origin', async () => {
    const res = await bootstrap({ ...bearer(p.keys.test.publishable_key), origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers the widget origin on embed routes', async () => {
    const res = await server.call('OPTIONS', '/v1/embed/session', {
      headers: {
        origin: WIDGET_ORIGINS.test,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-embed-token',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(WIDGET_ORIGINS.test);
    expect(res.headers['access-control-allow-headers']).toContain('x-embed-token');
  });
});

describe('X-Embed-Token guard (GET /v1/embed/session)', () => {
  let token: string;
  let sessionId: string;
  beforeAll(async () => {
    const session = await openSession();
    sessionId = session.id;
    const res = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: PAGE },
      { clientSecret: session.client_secret },
    );
    token = res.body.token;
  });
  const fromWidget = (t: string | undefined, origin = WIDGET_ORIGINS.test, host?: string) =>
    server.call('GET', '/v1/embed/session', {
      headers: { 'x-embed-token': t, origin, ...(host ? { host } : {}) },
    });
  const key = (kid: string) => new TextEncoder().encode(server.embedKeys.find((k) => k.kid === kid)!.secret);
  const claims = () => decodeJwt(token) as Record<string, unknown>;
  // Forged tokens name the same publishable key as the real one (the protected header's key_id).
  const forge = (payload: Record<string, unknown>, kid = 'k2', secret: Uint8Array = key(kid)) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid, key_id: decodeProtectedHeader(token).key_id as string })
      .sign(secret);

  it('accepts a valid token from the widget origin and returns the session', async () => {
    const res = await fromWidget(token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: sessionId, status: 'open', object: 'gate_session' });
    expect(res.headers['access-control-allow-origin']).toBe(WIDGET_ORIGINS.test);
  });

  it('still accepts a token signed with an older key that is still configured (rotation)', async () => {
    expect((await fromWidget(await forge({ ...claims(), kid: 'k1' }, 'k1'))).status).toBe(200);
  });

  const attacks: Array<[string, () => Promise<string | undefined>, number, string]> = [
    ['missing token', async () => undefined, 401, 'Missing X-Embed-Token'],
    ['garbage', async () => 'not.a.jwt', 401, 'Malformed'],
    [
      'alg: none',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none', typ: 'JWT', kid: 'k2' })}.${enc(claims())}.`;
      },
      401,
      'HS256',
    ],
    [
      'wrong secret',
      async () => forge(claims(), 'k2', new TextEncoder().encode('x'.repeat(64))),
      401,
      'signature',
    ],
    [
      'unknown kid',
      async () => forge({ ...claims(), kid: 'k9' }, 'k9', new TextEncoder().encode('x'.repeat(64))),
      401,
      'unknown',
    ],
    ['expired', async () => forge({ ...claims(), iat: 1_600_000_000, exp: 1_600_000_100 }), 401, 'expired'],
    ['wrong scope', async () => forge({ ...claims(), scope: 'admin' }), 401, 'scope'],
    [
      'edited session_id (payload changed, signature kept)',
      async () => {
        const [h, , s] = token.split('.');
        const body = Buffer.from(
          JSON.stringify({ ...claims(), session_id: 'ffffffffffffffffffffffff' }),
        ).toString('base64url');
        return `${h}.${body}.${s}`;
      },
      401,
      'signature',
    ],
  ];
  it.each(attacks)('refuses %s', async (_name, make, status, phrase) => {
    const res = await fromWidget(await make());
    expect(res.status).toBe(status);
    expect(res.body.statusCode).toBe(status);
    expect(String(res.body.message)).toContain(phrase);
  });

  it('refuses a call from any origin but the widget’s (including the partner page)', async () => {
    for (const origin of [PAGE, 'https://evil.example', WIDGET_ORIGINS.live]) {
      const res = await fromWidget(token, origin);
      expect(res.status).toBe(403);
    }
  });

  it('refuses the token on a host that does not serve its mode, and a live claim from the test widget', async () => {
    expect((await fromWidget(token, WIDGET_ORIGINS.test, 'gate-api.0bit.app')).status).toBe(403);
    const liveClaim = await forge({ ...claims(), mode: 'live' });
    expect((await fromWidget(liveClaim, WIDGET_ORIGINS.test)).status).toBe(403);
  });

  it('refuses a token whose session is no longer open, and a token not bound to a session', async () => {
    const session = await openSession();
    const bound = await bootstrap(
      { ...bearer(p.keys.test.publishable_key), origin: PAGE },
      { clientSecret: session.client_secret },
    );
    await server.call('POST', `/v1/gate_sessions/${session.id}/cancel`, {
      headers: writeHeaders(p.keys.test.secret_key),
    });
    const res = await fromWidget(bound.body.token);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('cancelled');
    const unbound = await bootstrap({ ...bearer(p.keys.test.publishable_key), origin: PAGE });
    expect((await fromWidget(unbound.body.token)).status).toBe(409);
  });
});
