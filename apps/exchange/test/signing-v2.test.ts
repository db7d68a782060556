import { createHash, createHmac, randomBytes } from 'node:crypto';
import { SecretBox } from '@0bit/core/secret-box';
import type { RawResponse } from '@0bit/testing/http';
import { describe, expect, it } from 'vitest';
import { runExchangeCommand } from '../src/cli.ts';
import {
  type Credentials,
  hmacHex,
  SANDBOX_ADDRESSES,
  useExchangeServer,
  v2Headers,
} from './support/server.ts';

const server = useExchangeServer();
const PRICE = '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01"}';
const CREATE = JSON.stringify({
  ...JSON.parse(PRICE),
  toAddress: SANDBOX_ADDRESSES.usdt_trc20,
  refundAddress: SANDBOX_ADDRESSES.btc,
});
const DOC_LINK = 'docs/exchange/authentication.md#signature-v2';

const nonce = () => randomBytes(16).toString('hex');
const now = () => Math.floor(Date.now() / 1000);

/** The body-only signature of the quickstart, as an eavesdropper would capture it. */
function v1Headers(creds: Credentials, body: string, n = nonce()) {
  return {
    'content-type': 'application/json',
    'x-api-key': creds.apiKey,
    'x-api-sign': hmacHex(creds.apiSecret, body),
    'x-api-nonce': n,
  };
}

/** v2 written out here from the doc, independently of the server's code. */
function v2(
  creds: Credentials,
  signed: { method?: string; path: string; body: string; nonce?: string; timestamp?: number },
) {
  const n = signed.nonce ?? nonce();
  const ts = String(signed.timestamp ?? now());
  const bodyHash = createHash('sha256').update(signed.body).digest('hex');
  const text = ['v2', signed.method ?? 'POST', signed.path, n, ts, bodyHash].join('\n');
  return {
    'content-type': 'application/json',
    'x-api-key': creds.apiKey,
    'x-api-sign': `v2=${createHmac('sha256', creds.apiSecret).update(text).digest('hex')}`,
    'x-api-nonce': n,
    'x-api-timestamp': ts,
  };
}

async function createOrderInEmergency(creds: Credentials) {
  const order = (await server.signed('/api/v1/create', JSON.parse(CREATE), creds)).body.data;
  const deposit = await server.signed('/api/v1/sandbox/deposit', { id: order.id, amount: '0.0001' }, creds);
  expect(deposit.body.data.status).toBe('EMERGENCY');
  return order as { id: string; token: string };
}

function expectAuthInvalid(response: RawResponse, message: RegExp, name: string) {
  expect(response.status, name).toBe(401);
  expect(response.body, name).toMatchObject({ code: 3, msg: 'AUTH_INVALID' });
  expect(response.body.data.message, name).toMatch(message);
}

describe('replaying a captured body-only signature onto a sensitive route', () => {
  it('does not rotate the credentials or the webhook secret (account takeover)', async () => {
    const creds = await server.onboard();
    // A cabinet read, signed as the quickstart says: the signature covers `{}` only.
    const captured = v1Headers(creds, '{}');
    const read = await server.call('POST', '/api/v1/cabinet/refcodes', { headers: captured, body: '{}' });
    expect(read.body.code).toBe(0);
    for (const path of ['/api/v1/cabinet/credentials/rotate', '/api/v1/cabinet/webhook-secret/rotate']) {
      const replayed = await server.call('POST', path, {
        headers: { ...captured, 'x-api-nonce': nonce() },
        body: '{}',
      });
      expectAuthInvalid(replayed, /requires a v2 signature/, path);
      expect(replayed.body.data.message, path).toContain(DOC_LINK);
      expect(replayed.text, path).not.toMatch(/apiSecret|webhookSecret/);
    }
    // The partner's own credentials still work: nothing was rotated.
    expect((await server.signed('/api/v1/price', PRICE, creds)).body.code).toBe(0);
  });

  it('refuses a body-only signature on every route that changes credentials, secrets, refcodes or emergency choices', async () => {
    const creds = await server.onboard();
    const order = await createOrderInEmergency(creds);
    const routes: Array<[string, string]> = [
      ['/api/v1/cabinet/credentials/rotate', '{}'],
      ['/api/v1/cabinet/webhook-secret/rotate', '{}'],
      ['/api/v1/cabinet/refcodes/create', '{"code":"evil","markupBps":500,"default":true}'],
      ['/api/v1/cabinet/refcodes/update', '{"code":"default","markupBps":500}'],
      ['/api/v1/cabinet/signing', '{"requireV2":false}'],
      ['/api/v1/emergency', JSON.stringify({ id: order.id, token: order.token, choice: 'REFUND' })],
    ];
    for (const [path, body] of routes) {
      const refused = await server.call('POST', path, { headers: v1Headers(creds, body), body });
      expectAuthInvalid(refused, /requires a v2 signature/, path);
    }
    // Nothing changed: the default code still has 0 bps, the order still waits for its choice.
    const codes = (await server.signed('/api/v1/cabinet/refcodes', {}, creds)).body.data;
    expect(codes).toMatchObject([{ code: 'default', markupBps: 0, default: true }]);
    const still = await server.signed('/api/v1/order', { id: order.id, token: order.token }, creds);
    expect(still.body.data).toMatchObject({ status: 'EMERGENCY', emergency: { choice: null } });
  });
});

describe('signature v2', () => {
  it('is accepted on every sensitive route and on the quickstart routes', async () => {
    const creds = await server.onboard();
    const order = await createOrderInEmergency(creds);
    const calls: Array<[string, string]> = [
      ['/api/v1/price', PRICE],
      ['/api/v1/cabinet/refcodes/create', '{"code":"app","markupBps":25}'],
      ['/api/v1/cabinet/refcodes/update', '{"code":"app","markupBps":30,"default":true}'],
      ['/api/v1/emergency', JSON.stringify({ id: order.id, token: order.token, choice: 'REFUND' })],
      ['/api/v1/cabinet/webhook-secret/rotate', '{}'],
      ['/api/v1/cabinet/signing', '{}'],
    ];
    for (const [path, body] of calls) {
      const answer = await server.call('POST', path, { headers: v2(creds, { path, body }), body });
      expect(answer.body, path).toMatchObject({ code: 0 });
    }
    for (const skew of [-250, 250]) {
      const headers = v2(creds, { path: '/api/v1/price', body: PRICE, timestamp: now() + skew });
      const skewed = await server.call('POST', '/api/v1/price', { headers, body: PRICE });
      expect(skewed.body.code, `clock ${skew} s off`).toBe(0);
    }
    const rotatePath = '/api/v1/cabinet/credentials/rotate';
    const rotated = await server.call('POST', rotatePath, {
      headers: v2(creds, { path: rotatePath, body: '{}' }),
      body: '{}',
    });
    expect(rotated.body).toMatchObject({ code: 0, data: { apiKey: expect.any(String) } });

    // The pair just rotated out still serves traffic during its overlap, but it may be the one that leaked:
    // it cannot rotate again (locking the partner out), rotate the webhook secret, or change signing.
    for (const [path, body] of [
      [rotatePath, '{}'],
      ['/api/v1/cabinet/webhook-secret/rotate', '{}'],
      ['/api/v1/cabinet/signing', '{"requireV2":false}'],
    ] as const) {
      const old = await server.call('POST', path, { headers: v2(creds, { path, body }), body });
      expectAuthInvalid(old, /rotated out/, path);
    }
    expect((await server.signed('/api/v1/price', PRICE, creds)).body.code).toBe(0);
    const next = { ...creds, ...rotated.body.data };
    const again = await server.call('POST', rotatePath, {
      headers: v2(next, { path: rotatePath, body: '{}' }),
      body: '{}',
    });
    expect(again.body.code).toBe(0);
  });

  it('refuses a v2 signature over another method, path, nonce, timestamp or body, a stale or future timestamp, and a reused nonce', async () => {
    const creds = await server.onboard();
    const path = '/api/v1/cabinet/webhook-secret/rotate';
    const body = '{}';
    const n = nonce();
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      ['method', v2(creds, { method: 'GET', path, body }), body, /X-API-SIGN does not match/],
      ['path', v2(creds, { path: '/api/v1/cabinet/refcodes', body }), body, /X-API-SIGN does not match/],
      ['nonce', { ...v2(creds, { path, body }), 'x-api-nonce': nonce() }, body, /does not match/],
      [
        'timestamp header',
        { ...v2(creds, { path, body }), 'x-api-timestamp': String(now() + 1) },
        body,
        /does not match/,
      ],
      ['body', v2(creds, { path, body: '{ }' }), body, /does not match/],
      // Margins of a few seconds: time passes between signing here and checking there.
      ['stale', v2(creds, { path, body, timestamp: now() - 302 }), body, /X-API-TIMESTAMP .*300 s/],
      ['future', v2(creds, { path, body, timestamp: now() + 360 }), body, /X-API-TIMESTAMP .*300 s/],
      ['no timestamp', { ...v2(creds, { path, body }), 'x-api-timestamp': '' }, body, /X-API-TIMESTAMP/],
      [
        'milliseconds',
        { ...v2(creds, { path, body }), 'x-api-timestamp': String(Date.now()) },
        body,
        /X-API-TIMESTAMP .*seconds/,
      ],
      ['not hex', { ...v2(creds, { path, body }), 'x-api-sign': 'v2=xyz' }, body, /64 hex/],
      ['first use of a nonce', v2(creds, { path: '/api/v1/price', body: PRICE, nonce: n }), PRICE, /./],
    ];
    for (const [name, headers, sent, message] of cases) {
      if (name === 'first use of a nonce') {
        const first = await server.call('POST', '/api/v1/price', { headers, body: sent });
        expect(first.body.code, name).toBe(0);
        continue;
      }
      expectAuthInvalid(await server.call('POST', path, { headers, body: sent }), message, name);
    }
    const reused = await server.call('POST', path, { headers: v2(creds, { path, body, nonce: n }), body });
    expectAuthInvalid(reused, /already used/, 'reused nonce');
    // After all that the secret was never rotated.
    const audit = await server.database.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.filter((row) => row.partner_id === creds.partnerId)).toEqual([]);
  });
});

describe('a rotated-out pair (in its overlap window)', () => {
  it('is refused on every route that needs v2: refcodes, emergency choices, webhook replays, signing', async () => {
    const creds = await server.onboard();
    const order = await createOrderInEmergency(creds);
    const rotatePath = '/api/v1/cabinet/credentials/rotate';
    const rotated = await server.call('POST', rotatePath, {
      headers: v2(creds, { path: rotatePath, body: '{}' }),
      body: '{}',
    });
    expect(rotated.body.code).toBe(0);
    const next = { ...creds, ...rotated.body.data };
    const attempts: Array<[string, string]> = [
      ['/api/v1/cabinet/refcodes/create', '{"code":"old","markupBps":500,"default":true}'],
      ['/api/v1/cabinet/refcodes/update', '{"code":"default","markupBps":499,"default":true}'],
      [
        '/api/v1/emergency',
        JSON.stringify({
          id: order.id,
          token: order.token,
          choice: 'REFUND',
          address: SANDBOX_ADDRESSES.btc,
        }),
      ],
      ['/api/v1/cabinet/webhooks/replay', '{"id":"00000000-0000-4000-8000-000000000000"}'],
      ['/api/v1/cabinet/signing', '{}'],
    ];
    for (const [path, body] of attempts) {
      const old = await server.call('POST', path, { headers: v2(creds, { path, body }), body });
      expectAuthInvalid(old, /rotated out/, path);
    }
    // Nothing changed, and the old pair still serves the quickstart routes until its overlap ends.
    const codes = (await server.signed('/api/v1/cabinet/refcodes', {}, next)).body.data;
    expect(codes).toMatchObject([{ code: 'default', markupBps: 0, default: true }]);
    const still = await server.signed('/api/v1/order', { id: order.id, token: order.token }, next);
    expect(still.body.data).toMatchObject({ status: 'EMERGENCY', emergency: { choice: null } });
    expect((await server.signed('/api/v1/price', PRICE, creds)).body.code).toBe(0);
    // The current pair may do all of it.
    for (const [path, body] of attempts.slice(0, 3)) {
      const current = await server.call('POST', path, { headers: v2(next, { path, body }), body });
      expect(current.body, path).toMatchObject({ code: 0 });
    }
  });
});

describe('v2 everywhere (account opt-in)', () => {
  it('keeps the quickstart signature on spec routes until the partner opts in, then refuses it on every route', async () => {
    const creds = await server.onboard();
    const body = CREATE;
    expect(
      (await server.call('POST', '/api/v1/price', { headers: v1Headers(creds, PRICE), body: PRICE })).body
        .code,
    ).toBe(0);
    const created = await server.call('POST', '/api/v1/create', { headers: v1Headers(creds, body), body });
    expect(created.body.code).toBe(0);
    const orderBody = JSON.stringify({ id: created.body.data.id, token: created.body.data.token });
    expect(
      (await server.call('POST', '/api/v1/order', { headers: v1Headers(creds, orderBody), body: orderBody }))
        .body.code,
    ).toBe(0);

    const path = '/api/v1/cabinet/signing';
    const on = await server.call('POST', path, {
      headers: v2(creds, { path, body: '{"requireV2":true}' }),
      body: '{"requireV2":true}',
    });
    expect(on.body).toMatchObject({ code: 0, data: { environment: 'sandbox', requireV2: true } });

    for (const [route, sent] of [
      ['/api/v1/price', PRICE],
      ['/api/v1/create', body],
      ['/api/v1/order', orderBody],
      ['/api/v1/cabinet/refcodes', '{}'],
      ['/api/v1/cabinet/orders', '{}'],
    ] as const) {
      const refused = await server.call('POST', route, { headers: v1Headers(creds, sent), body: sent });
      expectAuthInvalid(refused, /opted in to v2 signatures on every route/, route);
      expect(refused.body.data.message, route).toContain(DOC_LINK);
      const accepted = await server.call('POST', route, {
        headers: v2(creds, { path: route, body: sent }),
        body: sent,
      });
      expect(accepted.body.code, route).toBe(0);
    }

    // Opting out needs v2 too, and restores the quickstart signature.
    const off = await server.call('POST', path, {
      headers: v2(creds, { path, body: '{"requireV2":false}' }),
      body: '{"requireV2":false}',
    });
    expect(off.body.data).toMatchObject({ requireV2: false });
    expect(
      (await server.call('POST', '/api/v1/price', { headers: v1Headers(creds, PRICE), body: PRICE })).body
        .code,
    ).toBe(0);
  });

  it('is per environment, and the operator can set it too', async () => {
    const creds = await server.onboard();
    const live = (
      await server.admin('POST', `/admin/exchange/partners/${creds.partnerId}/credentials`, {
        environment: 'live',
      })
    ).body.data;
    const set = await server.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/signing`, {
      environment: 'live',
      requireV2: true,
    });
    expect(set.body).toMatchObject({ code: 0, data: { environment: 'live', requireV2: true } });
    const liveCreds = { ...creds, ...live };
    const refused = await server.call('POST', '/api/v1/price', {
      headers: v1Headers(liveCreds, PRICE),
      body: PRICE,
    });
    expectAuthInvalid(refused, /opted in/, 'live v1');
    // Authenticated: live has no liquidity provider in tests, which is code 11, not 3.
    const v2Live = await server.call('POST', '/api/v1/price', {
      headers: v2(liveCreds, { path: '/api/v1/price', body: PRICE }),
      body: PRICE,
    });
    expect(v2Live.body.code).toBe(11);
    // The sandbox is not affected.
    expect(
      (await server.call('POST', '/api/v1/price', { headers: v1Headers(creds, PRICE), body: PRICE })).body
        .code,
    ).toBe(0);
    const badEnvironment = await server.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/signing`, {
      environment: 'prod',
      requireV2: true,
    });
    expect(badEnvironment.body.code).toBe(1);
    const unknown = await server.admin('PUT', '/admin/exchange/partners/nope/signing', {
      environment: 'live',
      requireV2: true,
    });
    expect(unknown.body.code).toBe(12);
  });
});

describe('v2 everywhere from the operator CLI', () => {
  it('`exchange signing` shows and sets the policy and is audited as the CLI', async () => {
    const creds = await server.onboard();
    const run = (options: Record<string, string>) =>
      runExchangeCommand(server.database, SecretBox.generateKey(), 'signing', [creds.partnerId], options);
    expect(await run({ environment: 'sandbox' })).toEqual({
      partnerId: creds.partnerId,
      environment: 'sandbox',
      requireV2: false,
    });
    expect(await run({ environment: 'sandbox', 'require-v2': 'true' })).toMatchObject({ requireV2: true });
    const refused = await server.call('POST', '/api/v1/price', {
      headers: v1Headers(creds, PRICE),
      body: PRICE,
    });
    expectAuthInvalid(refused, /opted in/, 'after the CLI');
    await expect(run({ environment: 'sandbox', 'require-v2': 'yes' })).rejects.toThrow(/true or false/);
    const [row] = await server.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('partner_id', '=', creds.partnerId)
      .execute();
    expect(row).toMatchObject({
      actor_kind: 'cli',
      action: 'exchange.signing.update',
      after: { requireV2: true },
    });
  });
});

describe('audit log', () => {
  it('records rotations, refcode changes and the v2 opt-in, with who, where and what, but never a secret', async () => {
    const creds = await server.onboard();
    const signed = (path: string, body: unknown) => server.signedV2(path, body, creds);
    const webhook = (await signed('/api/v1/cabinet/webhook-secret/rotate', {})).body.data;
    await signed('/api/v1/cabinet/refcodes/create', { code: 'web', markupBps: 10 });
    await signed('/api/v1/cabinet/refcodes/update', { code: 'web', markupBps: 20, default: true });
    await signed('/api/v1/cabinet/signing', { requireV2: true });
    const rotated = (await signed('/api/v1/cabinet/credentials/rotate', {})).body.data;
    await server.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/signing`, {
      environment: 'sandbox',
      requireV2: false,
    });
    const rows = await server.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('partner_id', '=', creds.partnerId)
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      'exchange.webhook_secret.rotate',
      'exchange.refcode.create',
      'exchange.refcode.update',
      'exchange.signing.update',
      'exchange.credentials.rotate',
      'exchange.signing.update',
    ]);
    for (const row of rows.slice(0, 5))
      expect(row).toMatchObject({
        actor_kind: 'exchange_credential',
        actor_id: expect.any(String),
        mode: 'test',
        ip: '127.0.0.1',
      });
    expect(rows[5]).toMatchObject({ actor_kind: 'admin', mode: 'test' });
    expect(rows[2]).toMatchObject({
      target: 'refcode:web',
      before: { code: 'web', markupBps: 10, default: false },
      after: { code: 'web', markupBps: 20, default: true },
    });
    expect(rows[3]).toMatchObject({ before: { requireV2: false }, after: { requireV2: true } });
    expect(rows[4]!.after).toMatchObject({ previousExpiresAt: expect.any(Number) });
    const stored = JSON.stringify(rows);
    for (const secret of [
      creds.apiKey,
      creds.apiSecret,
      creds.webhookSecret,
      webhook.webhookSecret,
      rotated.apiKey,
      rotated.apiSecret,
    ])
      expect(stored).not.toContain(secret);
  });
});

describe('signed bodies', () => {
  it('refuses duplicate keys and prototype keys with a message that names them', async () => {
    const creds = await server.onboard();
    const cases: Array<[string, RegExp]> = [
      [
        '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01","amount":"5"}',
        /duplicate key "amount"/,
      ],
      [
        '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01","\\u0061mount":"5"}',
        /duplicate key "amount"/,
      ],
      ['{"__proto__":{"x":1},"type":"float"}', /"__proto__" is not allowed as a key/],
      ['{"type":"float","constructor":{"prototype":{"x":1}}}', /"constructor" is not allowed as a key/],
      ['{"prototype":1}', /"prototype" is not allowed as a key/],
    ];
    for (const [body, message] of cases) {
      const response = await server.signed('/api/v1/price', body, creds);
      expect(response.status, body).toBe(400);
      expect(response.body, body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
      expect(response.body.data.message, body).toMatch(message);
    }
    const nested = await server.signedV2(
      '/api/v1/cabinet/refcodes/create',
      '{"code":"a","markupBps":1,"default":{"x":1,"x":2}}',
      creds,
    );
    expect(nested.body.data.message).toMatch(/duplicate key "x" in body.default/);
    // A key's name as a value is fine.
    const fine = await server.signedV2(
      '/api/v1/cabinet/refcodes/create',
      '{"code":"code","markupBps":1}',
      creds,
    );
    expect(fine.body).toMatchObject({ code: 0, data: { code: 'code' } });
  });
});

describe('test client', () => {
  it('signs sensitive routes with v2 by itself', async () => {
    const creds = await server.onboard();
    const headers = v2Headers(creds, '/api/v1/cabinet/signing', '{}');
    expect(headers['x-api-sign']).toMatch(/^v2=[0-9a-f]{64}$/);
    expect((await server.signed('/api/v1/cabinet/signing', {}, creds)).body.code).toBe(0);
  });
});
