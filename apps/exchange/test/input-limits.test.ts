import { createHmac, randomBytes } from 'node:crypto';
import type { RawResponse } from '@0bit/testing/http';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Credentials, SANDBOX_ADDRESSES, useExchangeServer } from './support/server.ts';

// Issue #14 finding 6 on 0trace: control characters and hostile nesting are refused at validation (the
// shared validatorCompiler), answering the documented `{ code, msg, data }` envelope, never 500.
const server = useExchangeServer();
let creds: Credentials;
beforeAll(async () => {
  creds = await server.onboard();
});

function expectInvalid(res: RawResponse, phrase: string) {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
  expect(Object.keys(res.body).sort()).toEqual(['code', 'data', 'msg']);
  expect(res.body.data.message).toContain(phrase);
}

describe('operator onboarding', () => {
  it.each([
    ['NUL', 'Evil\u0000Corp'],
    ['escape', 'Evil\u001b[2J'],
    ['DEL', 'Evil\u007f'],
  ])('a partner name with %s → 400 naming the field', async (_name, name) => {
    const res = await server.admin('POST', '/admin/exchange/partners', { name });
    expectInvalid(res, 'name must not contain control characters');
  });

  it('a printable Unicode name is accepted', async () => {
    const res = await server.admin('POST', '/admin/exchange/partners', { name: 'Zoë & Co 山田' });
    expect(res.status).toBe(201);
  });
});

describe('URLs that cannot be routed', () => {
  // Fresh eyes (#13): these answered Fastify's own envelope (`code: "FST_ERR_BAD_URL"`).
  it.each([
    ['invalid percent-encoding', '/api/v1/%ff'],
    ['a path segment over the length limit', `/admin/exchange/partners/${'a'.repeat(3000)}/webhook`],
  ])('%s → 404 NOT_FOUND in the { code, msg, data } envelope', async (_name, url) => {
    const res = await server.app.inject({
      method: 'POST',
      url,
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: 12,
      msg: 'NOT_FOUND',
      data: { message: expect.stringContaining('malformed') },
    });
  });
});

describe('bytes that are not UTF-8', () => {
  // Fresh eyes (#13): invalid UTF-8 was decoded lossily (U+FFFD) and answered as if it were JSON text.
  it('a correctly signed body with an invalid UTF-8 byte → 400 INVALID_REQUEST, never a replaced character', async () => {
    const body = Buffer.concat([
      Buffer.from(
        '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01","refcode":"def',
      ),
      Buffer.from([0xff]),
      Buffer.from('ault"}'),
    ]);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/price',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-api-key': creds.apiKey,
        'x-api-sign': createHmac('sha256', creds.apiSecret).update(body).digest('hex'),
        'x-api-nonce': randomBytes(16).toString('hex'),
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 1,
      msg: 'INVALID_REQUEST',
      data: { message: expect.stringContaining('UTF-8') },
    });
    expect(res.body).not.toContain('\uFFFD');
  });
});

describe('signed routes', () => {
  const order = {
    type: 'float',
    fromCcy: 'BTC',
    toCcy: 'USDTTRC',
    direction: 'from',
    amount: '0.01',
    toAddress: SANDBOX_ADDRESSES.usdt_trc20,
    refundAddress: SANDBOX_ADDRESSES.btc,
  };

  it.each([
    ['/api/v1/create', 'toAddress', { ...order, toAddress: `${SANDBOX_ADDRESSES.usdt_trc20}\u0000` }],
    [
      '/api/v1/price',
      'refcode',
      { ...order, toAddress: undefined, refundAddress: undefined, refcode: 'a\u0000' },
    ],
    ['/api/v1/order', 'id', { id: 'x\u0000', token: 't' }],
    ['/api/v1/cabinet/orders', 'startingAfter', { startingAfter: '\u0000' }],
  ])('%s with a NUL → 400 naming %s', async (path, field, body) => {
    const res = await server.signed(path, body, creds);
    expectInvalid(res, `${field} must not contain control characters`);
  });

  it('a deeply nested body → 400, not a stack overflow', async () => {
    const raw = `{"id":"x","token":"t","extra":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    const res = await server.signed('/api/v1/order', raw, creds);
    expectInvalid(res, 'nests deeper than 16 levels');
  });

  // jsonc-parser's visit (the duplicate-key check) recursed and overflowed the stack at about 8,000 levels,
  // a 16 KB body: a 500 on every signed route and the operator routes. Depth is counted on the raw text first.
  const deep = (levels: number) => `{"limit":1,"x":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it.each([
    ['/api/v1/cabinet/orders', 10_000],
    ['/api/v1/cabinet/orders', 20_000],
    ['/api/v1/cabinet/refcodes/create', 10_000],
    ['/api/v1/price', 10_000],
  ])('%s with %i levels of nesting → 400 naming the limit, not a stack overflow', async (path, levels) => {
    const res = await server.signed(path, deep(levels), creds);
    expectInvalid(res, 'nests deeper than 16 levels');
  });

  it('nesting is counted outside strings only, up to the limit', async () => {
    // Brackets inside a string are text; 16 levels (the body counted as level 1) are allowed by the scan.
    const quoted = await server.signed('/api/v1/cabinet/orders', `{"status":"${'['.repeat(40)}"}`, creds);
    expect(quoted.body.data.message).not.toContain('nests deeper');
    const escaped = await server.signed('/api/v1/cabinet/orders', `{"status":"\\"${'{'.repeat(40)}"}`, creds);
    expect(escaped.body.data.message).not.toContain('nests deeper');
    const sixteen = `{"x":${'['.repeat(15)}${']'.repeat(15)}}`;
    const atLimit = await server.signed('/api/v1/cabinet/orders', sixteen, creds);
    expect(atLimit.body.data.message).not.toContain('nests deeper');
    const seventeen = `{"x":${'['.repeat(16)}${']'.repeat(16)}}`;
    expectInvalid(await server.signed('/api/v1/cabinet/orders', seventeen, creds), 'nests deeper than 16');
  });

  it('the operator routes (same body parser) → 400 too', async () => {
    const res = await server.call('POST', '/admin/exchange/partners', {
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: `{"name":"n","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    });
    expectInvalid(res, 'nests deeper than 16 levels');
  });
});

// Found by the fuzz test (fuzz.test.ts); each answered 500 before its fix.
describe('fuzz regressions', () => {
  it('/cabinet/refcodes/update with nothing to change → 400 that says what to send', async () => {
    const created = await server.signed(
      '/api/v1/cabinet/refcodes/create',
      { code: 'fuzz_a', markupBps: 10 },
      creds,
    );
    expect(created.status).toBe(200);
    const res = await server.signed('/api/v1/cabinet/refcodes/update', { code: 'fuzz_a' }, creds);
    expectInvalid(res, 'markupBps');
  });
});
