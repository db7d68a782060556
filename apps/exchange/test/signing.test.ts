import { randomBytes } from 'node:crypto';
import { send } from '@0bit/testing/http';
import { describe, expect, it } from 'vitest';
import { buildExchangeApp } from '../src/app.ts';
import { RedisNonceStore } from '../src/store/nonces.ts';
import { hmacHex, useExchangeServer } from './support/server.ts';

const server = useExchangeServer();
const PRICE = '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01"}';

function headers(apiKey: string, sign: string, nonce = randomBytes(16).toString('hex')) {
  return {
    'content-type': 'application/json',
    'x-api-key': apiKey,
    'x-api-sign': sign,
    'x-api-nonce': nonce,
  };
}

describe('request signing', () => {
  it('accepts the HMAC of the exact bytes, whatever their whitespace, and answers { code: 0, msg, data }', async () => {
    const creds = await server.onboard();
    const spaced =
      '{ "type": "float", "fromCcy": "btc", "toCcy": "usdt_trc20", "direction": "from", "amount": "0.01" }';
    for (const body of [PRICE, spaced]) {
      const response = await server.call('POST', '/api/v1/price', {
        headers: headers(creds.apiKey, hmacHex(creds.apiSecret, body)),
        body,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        code: 0,
        msg: 'OK',
        data: { markupBps: 0, to: { amount: '596' } },
      });
      expect(response.headers['request-id']).toMatch(/^req_/);
    }
  });

  it('refuses a body re-serialised after signing, and every other signing mistake, with code 3 AUTH_INVALID', async () => {
    const creds = await server.onboard();
    const sign = hmacHex(creds.apiSecret, PRICE);
    const reserialised = JSON.stringify(JSON.parse(PRICE), null, 1);
    const cases: Array<[string, Record<string, string>, string]> = [
      ['re-serialised body', headers(creds.apiKey, sign), reserialised],
      ['signed with the apiKey', headers(creds.apiKey, hmacHex(creds.apiKey, PRICE)), PRICE],
      ['base64 signature', headers(creds.apiKey, Buffer.from(sign, 'hex').toString('base64')), PRICE],
      [
        'unknown key',
        headers(`${creds.apiKey.startsWith('x') ? 'y' : 'x'}${creds.apiKey.slice(1)}`, sign),
        PRICE,
      ],
      ['short nonce', headers(creds.apiKey, sign, 'abc'), PRICE],
      ['no signature', { ...headers(creds.apiKey, sign), 'x-api-sign': '' }, PRICE],
      [
        'no key',
        { 'content-type': 'application/json', 'x-api-sign': sign, 'x-api-nonce': 'n0nce-123456' },
        PRICE,
      ],
    ];
    for (const [name, h, body] of cases) {
      const response = await server.call('POST', '/api/v1/price', { headers: h, body });
      expect(response.status, name).toBe(401);
      expect(response.body, name).toMatchObject({
        code: 3,
        msg: 'AUTH_INVALID',
        data: { message: expect.any(String) },
      });
      expect(response.text, name).not.toContain(creds.apiSecret);
    }
  });

  it('refuses a replayed nonce, also when ten copies race, and accepts the same nonce for another key', async () => {
    const a = await server.onboard();
    const b = await server.onboard();
    const nonce = randomBytes(16).toString('hex');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        server.call('POST', '/api/v1/price', {
          headers: headers(a.apiKey, hmacHex(a.apiSecret, PRICE), nonce),
          body: PRICE,
        }),
      ),
    );
    expect(answers.filter((r) => r.body.code === 0)).toHaveLength(1);
    const refused = answers.filter((r) => r.body.code === 3);
    expect(refused).toHaveLength(9);
    expect(refused[0]!.body.data.message).toContain('already used');
    const other = await server.call('POST', '/api/v1/price', {
      headers: headers(b.apiKey, hmacHex(b.apiSecret, PRICE), nonce),
      body: PRICE,
    });
    expect(other.body.code).toBe(0);
  });

  it('answers bad input with code 1 INVALID_REQUEST naming the problem, never a crash', async () => {
    const creds = await server.onboard();
    const bodies: Array<[string, RegExp]> = [
      ['{"type":"float"', /not valid JSON/],
      ['[]', /JSON object/],
      ['{"type":"floaty","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01"}', /type/],
      ['{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":0.01}', /amount/],
      [
        '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01","extra":1}',
        /unknown field "extra"/,
      ],
      ['{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from"}', /amount is required/],
      ['{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"1e-2"}', /decimal/],
    ];
    for (const [body, message] of bodies) {
      const response = await server.signed('/api/v1/price', body, creds);
      expect(response.status, body).toBe(400);
      expect(response.body, body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
      expect(response.body.data.message, body).toMatch(message);
    }
    const text = await server.call('POST', '/api/v1/price', {
      headers: { ...headers(creds.apiKey, hmacHex(creds.apiSecret, PRICE)), 'content-type': 'text/plain' },
      body: PRICE,
    });
    expect(text.body).toMatchObject({ code: 1, data: { message: 'Content-Type must be application/json' } });
    const huge = await server.signed('/api/v1/price', `{"pad":"${'x'.repeat(70_000)}"}`, creds);
    expect(huge.body).toMatchObject({ code: 1, data: { message: expect.stringContaining('64 KB') } });
    const missing = await server.signed('/api/v1/nope', PRICE, creds);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 12, msg: 'NOT_FOUND' });
  });

  it('maps the catalogue: unknown currency 4, amount out of range 5 with the limits, unknown refcode 1', async () => {
    const creds = await server.onboard();
    const base = JSON.parse(PRICE);
    const unknown = await server.signed('/api/v1/price', { ...base, toCcy: 'doge' }, creds);
    expect(unknown.body).toMatchObject({ code: 4, msg: 'UNKNOWN_CURRENCY' });
    const small = await server.signed('/api/v1/price', { ...base, amount: '0.0001' }, creds);
    expect(small.body).toMatchObject({
      code: 5,
      msg: 'AMOUNT_OUT_OF_RANGE',
      data: { min: '0.0005', max: '5' },
    });
    const refcode = await server.signed('/api/v1/price', { ...base, refcode: 'nope' }, creds);
    expect(refcode.body).toMatchObject({
      code: 1,
      data: { message: expect.stringContaining('refcode "nope"') },
    });
  });
});

describe('operator onboarding', () => {
  it('shows the three credentials once, stores none of them in the clear, and needs the admin token', async () => {
    const creds = await server.onboard();
    expect(creds.apiKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(creds.apiSecret).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(creds.webhookSecret).toMatch(/^[A-Za-z0-9]{48}$/);
    const stored = JSON.stringify([
      await server.database.db.selectFrom('exchange_credentials').selectAll().execute(),
      await server.database.db.selectFrom('webhook_secrets').selectAll().execute(),
    ]);
    for (const secret of [creds.apiKey, creds.apiSecret, creds.webhookSecret])
      expect(stored).not.toContain(secret);
    const again = await server.admin('POST', `/admin/exchange/partners/${creds.partnerId}/credentials`, {
      environment: 'sandbox',
    });
    expect(again.body).toMatchObject({ code: 9, msg: 'INVALID_STATE' });
    const live = await server.admin('POST', `/admin/exchange/partners/${creds.partnerId}/credentials`, {
      environment: 'live',
    });
    expect(live.status).toBe(201);
    expect(live.body.data).toMatchObject({ environment: 'live', apiKey: expect.any(String) });
    const liveCreds = { ...creds, ...live.body.data };
    const liveQuote = await server.signed('/api/v1/price', PRICE, liveCreds);
    expect(liveQuote.status).toBe(503);
    expect(liveQuote.body).toMatchObject({ code: 11, msg: 'UNAVAILABLE' });
    const noToken = await server.call('POST', '/admin/exchange/partners', { body: { name: 'x' } });
    expect(noToken.body).toMatchObject({ code: 3 });
  });
});

describe('several instances', () => {
  it('agree on nonces: the same signed request raced at two instances of the API is accepted once', async () => {
    const creds = await server.onboard();
    const second = await buildExchangeApp({
      db: server.database.db,
      box: server.box,
      adminToken: 'x'.repeat(32),
      counter: null,
      nonces: process.env.REDIS_URL
        ? new RedisNonceStore(process.env.REDIS_URL, server.noncePrefix)
        : undefined,
    });
    await second.listen({ port: 0, host: '127.0.0.1' });
    try {
      const other = `http://127.0.0.1:${(second.server.address() as { port: number }).port}`;
      const nonce = randomBytes(16).toString('hex');
      const request = { headers: headers(creds.apiKey, hmacHex(creds.apiSecret, PRICE), nonce), body: PRICE };
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2
            ? send(other, 'POST', '/api/v1/price', request)
            : server.call('POST', '/api/v1/price', request),
        ),
      );
      expect(answers.map((a) => a.body.code).sort()).toEqual([0, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    } finally {
      await second.close();
    }
  });
});
