import { beforeAll, describe, expect, it } from 'vitest';
import type { RawResponse } from '../../api/test/support/http.ts';
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
