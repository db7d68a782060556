import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, type TestPartner, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();
let p: TestPartner;
let trusted: TestPartner;
beforeAll(async () => {
  p = await server.partner();
  trusted = await server.partner({ kyc_trusted: true });
});

const body = (changes: Record<string, unknown>, remove: string[] = []) => {
  const copy: Record<string, unknown> = { ...SPEC_CREATE_BODY, ...changes };
  for (const key of remove) delete copy[key];
  return copy;
};

/** [name, body, expected status, a phrase the message must contain] */
const CREATE_CASES: Array<[string, unknown, number, string]> = [
  ['no body at all', undefined, 422, 'amount is required'],
  ['JSON array body', [], 422, 'request body must be a JSON object'],
  ['JSON string body', 'x', 422, 'JSON object'],
  ['JSON null body', null, 422, 'JSON object'],
  ['missing amount', body({}, ['amount']), 422, 'amount is required'],
  ['missing currency', body({}, ['currency']), 422, 'currency is required'],
  ['missing return_url', body({}, ['return_url']), 422, 'return_url is required'],
  ['amount as number', body({ amount: 100 }), 422, 'amount must be a string'],
  ['amount negative', body({ amount: '-1.00' }), 422, 'positive decimal string'],
  ['amount zero', body({ amount: '0.00' }), 422, 'greater than zero'],
  ['amount with comma', body({ amount: '1,00' }), 422, 'positive decimal string'],
  ['amount exponent', body({ amount: '1e3' }), 422, 'positive decimal string'],
  ['amount with spaces', body({ amount: ' 10.00' }), 422, 'positive decimal string'],
  ['amount empty', body({ amount: '' }), 422, 'positive decimal string'],
  ['amount too precise for EUR', body({ amount: '1.001' }), 422, 'EUR has 2'],
  ['amount with decimals for JPY', body({ amount: '100.5', currency: 'JPY' }), 422, 'JPY has 0'],
  ['amount too large', body({ amount: '1234567890123456' }), 422, 'at most 15 digits'],
  ['amount NaN', body({ amount: 'NaN' }), 422, 'positive decimal string'],
  ['currency lower case', body({ currency: 'eur' }), 422, 'upper-case ISO 4217'],
  ['currency unknown', body({ currency: 'ABC' }), 422, 'not an ISO 4217'],
  ['currency metal', body({ currency: 'XAU' }), 422, 'not an ISO 4217'],
  ['currency as number', body({ currency: 978 }), 422, 'currency must be a string'],
  ['return_url relative', body({ return_url: '/complete' }), 422, 'absolute URL'],
  ['return_url javascript', body({ return_url: 'javascript:alert(1)' }), 422, 'return_url'],
  [
    'return_url other origin',
    body({ return_url: 'https://evil.example/x' }),
    422,
    'not in your allowed_domains',
  ],
  [
    'return_url other port',
    body({ return_url: 'https://partner.example:8443/x' }),
    422,
    'not in your allowed_domains',
  ],
  [
    'return_url http of an https origin',
    body({ return_url: 'http://partner.example/x' }),
    422,
    'allowed_domains',
  ],
  ['cancel_url other origin', body({ cancel_url: 'https://evil.example/c' }), 422, 'cancel_url origin'],
  ['cancel_url not a URL', body({ cancel_url: 'nope' }), 422, 'cancel_url must be an absolute URL'],
  ['unknown field', body({ colour: 'red' }), 422, 'unknown field "colour"'],
  ['two unknown fields', body({ a: 1, b: 2 }), 422, 'unknown field "b"'],
  ['mode field (mode comes from the key)', body({ mode: 'live' }), 422, 'unknown field "mode"'],
  ['client_secret field', body({ client_secret: 'gsec_x' }), 422, 'unknown field "client_secret"'],
  ['flow unknown', body({ flow: 'buy' }), 422, 'flow must be one of'],
  ['target_token unknown', body({ target_token: 'DOGE' }), 422, 'target_token must be one of'],
  ['target_network unknown', body({ target_network: 'moon' }), 422, 'target_network must be one of'],
  [
    'network does not carry the token',
    body({ target_token: 'BTC', target_network: 'tron' }),
    422,
    'does not carry BTC',
  ],
  ['user_reference too long', body({ user_reference: 'u'.repeat(129) }), 422, 'at most 128'],
  ['user_reference empty', body({ user_reference: '' }), 422, 'must not be empty'],
  ['wallet_address too long', body({ wallet_address: 'w'.repeat(129) }), 422, 'at most 128'],
  ['metadata array', body({ metadata: ['a'] }), 422, 'metadata must be an object'],
  ['metadata number value', body({ metadata: { n: 1 } }), 422, 'metadata.n must be a string'],
  ['metadata nested object', body({ metadata: { o: { a: 1 } } }), 422, 'metadata.o must be a string'],
  ['metadata value too long', body({ metadata: { k: 'v'.repeat(501) } }), 422, 'at most 500'],
  [
    'metadata too many keys',
    body({ metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }),
    422,
    'at most 50 keys',
  ],
  ['metadata key too long', body({ metadata: { ['k'.repeat(41)]: 'v' } }), 422, 'metadata keys'],
  ['expires_at not a date', body({ expires_at: 'tomorrow' }), 422, 'ISO-8601'],
  ['expires_at in the past', body({ expires_at: '2020-01-01T00:00:00Z' }), 422, 'in the future'],
  [
    'kyc_package without provider',
    body({ kyc_package: { id: 'x' } }),
    422,
    'kyc_package.provider is required',
  ],
  ['kyc_package not an object', body({ kyc_package: 'passport' }), 422, 'kyc_package must be an object'],
  ['several problems at once', body({ amount: 5, currency: 'eur', flow: 'x' }), 422, 'flow must be one of'],
];

describe('POST /v1/gate_sessions refuses bad input with the right status and envelope', () => {
  it('covers at least 40 cases', () => {
    expect(CREATE_CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CREATE_CASES)('%s', async (_name, requestBody, status, phrase) => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: { ...writeHeaders(p.keys.test.secret_key), 'content-type': 'application/json' },
      body: requestBody === undefined ? undefined : JSON.stringify(requestBody),
    });
    expect(res.status).toBe(status);
    expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'statusCode']);
    expect(res.body.statusCode).toBe(status);
    expect(res.body.error).toBe('Unprocessable Entity');
    expect(Array.isArray(res.body.message)).toBe(true);
    expect(res.body.message.join(' | ')).toContain(phrase);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('reports every problem of a body at once', async () => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: { amount: 5, currency: 'eur', flow: 'x', extra: true },
    });
    expect(res.status).toBe(422);
    expect(res.body.message.length).toBeGreaterThanOrEqual(5);
  });

  it('accepts the same pre-serialised JSON the table sends when it is valid', async () => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: { ...writeHeaders(p.keys.test.secret_key), 'content-type': 'application/json' },
      body: JSON.stringify(SPEC_CREATE_BODY),
    });
    expect(res.status).toBe(201);
    expect(trusted.partner.kyc_trusted).toBe(true);
  });
});

describe('protocol errors', () => {
  const sk = () => p.keys.test.secret_key;

  it.each([
    ['invalid JSON', '{"amount": "1.00",', 'application/json', 400, 'not valid JSON'],
    ['JSON with a trailing comma', '{"amount":"1.00",}', 'application/json', 400, 'not valid JSON'],
    [
      'prototype pollution attempt',
      '{"__proto__":{"admin":true},"amount":"1.00"}',
      'application/json',
      400,
      '',
    ],
    ['text/plain body', 'amount=1', 'text/plain', 415, 'Content-Type'],
    ['form body', 'amount=1', 'application/x-www-form-urlencoded', 415, 'Content-Type'],
  ])('%s', async (_name, raw, contentType, status, phrase) => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: { ...writeHeaders(sk()), 'content-type': contentType },
      body: raw,
    });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status });
    expect(typeof res.body.error).toBe('string');
    expect(JSON.stringify(res.body.message)).toContain(phrase);
  });

  // Fresh eyes (#13): these answered Fastify's own envelope (`code: FST_ERR_BAD_URL`, a 414 "Bad Request").
  it.each([
    ['invalid percent-encoding', '/v1/gate_sessions/%ff'],
    ['a path segment over the length limit', `/v1/gate_sessions/${'a'.repeat(3000)}`],
  ])('a URL that cannot be routed (%s) → 404 in the envelope, with or without a key', async (_name, url) => {
    for (const headers of [{}, bearer(sk())]) {
      const res = await server.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: expect.stringContaining('malformed'),
      });
    }
  });

  it('refuses a body over 64 KB with 413', async () => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk()),
      body: { ...SPEC_CREATE_BODY, metadata: { big: 'x'.repeat(70 * 1024) } },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      statusCode: 413,
      message: 'Request body is larger than 64 KB',
      error: 'Payload Too Large',
    });
  });

  it('answers unknown routes and methods with a 404 envelope and a Request-Id', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['DELETE', '/v1/gate_sessions/abc'],
      ['GET', '/'],
    ] as const) {
      const res = await server.call(method, path, { headers: bearer(sk()) });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      expect(res.headers['request-id']).toMatch(/^req_/);
    }
  });

  it.each([
    ['limit 0', '/v1/gate_sessions?limit=0', 'limit must be at least 1'],
    ['limit 101', '/v1/gate_sessions?limit=101', 'limit must be at most 100'],
    ['limit text', '/v1/gate_sessions?limit=ten', 'limit must be an integer'],
    ['unknown query parameter', '/v1/gate_sessions?status=open', 'unknown field "status"'],
    ['events type unknown', '/v1/events?type=nope', 'type must be one of'],
  ])('query %s → 400', async (_name, path, phrase) => {
    const res = await server.call('GET', path, { headers: bearer(sk()) });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Bad Request');
    expect(res.body.message.join(' ')).toContain(phrase);
  });

  it('answers a malformed or unknown session id with 404, never 500', async () => {
    for (const id of [
      'abc',
      '../../etc/passwd',
      '67a1f3b9e4b0c1000123456z',
      'ffffffffffffffffffffffff',
      "'; DROP TABLE x;--",
    ]) {
      const res = await server.call('GET', `/v1/gate_sessions/${encodeURIComponent(id)}`, {
        headers: bearer(sk()),
      });
      expect(res.status).toBe(404);
    }
  });

  it('puts a Request-Id on every response, errors included', async () => {
    const res = await server.call('GET', '/v1/gate_sessions');
    expect(res.status).toBe(401);
    expect(res.headers['request-id']).toMatch(/^req_[0-9a-f]{24}$/);
  });
});
