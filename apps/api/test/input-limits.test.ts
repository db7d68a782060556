import type { RawResponse } from '@0bit/testing/http';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, type TestPartner, useTestServer, writeHeaders } from './support/server.ts';

// Issue #14 finding 6 and the `__proto__` point of finding 10: input that used to reach the database (or a
// recursive serialiser) and answer 500 is refused at validation with the documented envelope.
const server = useTestServer();
let p: TestPartner;
let trusted: TestPartner;
beforeAll(async () => {
  p = await server.partner();
  trusted = await server.partner({ kyc_trusted: true });
});

const sk = () => p.keys.test.secret_key;

function expectEnvelope(res: RawResponse, status: number, phrase: string) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(res.body.statusCode).toBe(status);
  expect([res.body.message].flat().join(' | ')).toContain(phrase);
}

const nested = (depth: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('control characters are refused at validation, naming the field', () => {
  it.each([
    [
      'NUL in user_reference',
      { user_reference: 'user\u0000x' },
      'user_reference must not contain control characters',
    ],
    [
      'NUL in wallet_address',
      { wallet_address: '0xabc\u0000' },
      'wallet_address must not contain control characters',
    ],
    [
      'escape in user_reference',
      { user_reference: 'a\u001b[31m' },
      'user_reference must not contain control characters',
    ],
    [
      'C1 control in user_reference',
      { user_reference: 'a\u0085b' },
      'user_reference must not contain control characters',
    ],
    [
      'newline in user_reference',
      { user_reference: 'a\nb' },
      'user_reference must not contain control characters',
    ],
    [
      'NUL in a metadata value',
      { metadata: { order_id: 'o\u0000' } },
      'metadata.order_id must not contain control characters',
    ],
    [
      'NUL in a kyc_package value',
      { kyc_package: { provider: 'sumsub', id: 'x\u0000' } },
      'kyc_package.id must not contain control characters',
    ],
    [
      'lone surrogate in user_reference',
      { user_reference: 'a\ud800b' },
      'user_reference must be well-formed Unicode',
    ],
  ])('%s → 422', async (_name, change, phrase) => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(trusted.keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, ...change },
    });
    expectEnvelope(res, 422, phrase);
    expect(await server.sessionCount(trusted.partner.id)).toBe(0);
  });

  it('keeps accepting printable Unicode (accents, CJK, emoji)', async () => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk()),
      body: { ...SPEC_CREATE_BODY, user_reference: 'Zoë 山田 🚀', metadata: { note: 'café — ok' } },
    });
    expect(res.status).toBe(201);
    expect(res.body.user_reference).toBe('Zoë 山田 🚀');
    expect(res.body.metadata).toEqual({ note: 'café — ok' });
  });

  it('NUL in branding brand_name → 422', async () => {
    const res = await server.call('PATCH', '/v1/branding', {
      headers: writeHeaders(sk()),
      body: { brand_name: 'Acme\u0000' },
    });
    expectEnvelope(res, 422, 'brand_name must not contain control characters');
  });

  it('NUL in a partner name (admin API) → 422', async () => {
    const res = await server.call('POST', '/admin/partners', {
      headers: bearer(server.adminToken),
      body: { name: 'Evil\u0000Corp' },
    });
    expectEnvelope(res, 422, 'name must not contain control characters');
  });

  it('NUL in a query parameter → 400 naming it', async () => {
    const res = await server.call(
      'GET',
      `/v1/gate_sessions?starting_after=${encodeURIComponent('a\u0000')}`,
      {
        headers: bearer(sk()),
      },
    );
    expectEnvelope(res, 400, 'starting_after must not contain control characters');
  });
});

describe('free-form objects have depth limits', () => {
  it('a deeply nested kyc_package → 422, not a stack overflow', async () => {
    // Built as text: JSON.stringify itself overflows on such a value.
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const raw = JSON.stringify({ ...SPEC_CREATE_BODY, kyc_package: { provider: 'sumsub', doc: 'DEEP' } });
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: { ...writeHeaders(trusted.keys.test.secret_key), 'content-type': 'application/json' },
      body: raw.replace('"DEEP"', deep),
    });
    expectEnvelope(res, 422, 'kyc_package.doc nests deeper than');
  });

  it('a kyc_package nested within the limit is accepted', async () => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(trusted.keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, kyc_package: { provider: 'sumsub', doc: nested(5) } },
    });
    expect(res.status).toBe(201);
  });
});

describe('cursors are validated', () => {
  it.each([
    ['starting_after', 'abc'],
    ['starting_after', "'; DROP TABLE x;--"],
    ['ending_before', 'not-a-uuid'],
    ['ending_before', '67a1f3b9e4b0c10001234567'],
  ])('/v1/events?%s=%s → 400 naming the cursor', async (name, value) => {
    const res = await server.call('GET', `/v1/events?${name}=${encodeURIComponent(value)}`, {
      headers: bearer(sk()),
    });
    expectEnvelope(res, 400, `${name} must be`);
  });

  it('an unknown but well-formed event id → 400 as before', async () => {
    const res = await server.call('GET', '/v1/events?starting_after=00000000-0000-4000-8000-000000000123', {
      headers: bearer(sk()),
    });
    expectEnvelope(res, 400, 'is not an event of this partner and mode');
  });
});

describe('/portal/usage dates are real calendar dates, ordered, within the cap', () => {
  it.each([
    ['from=2026-02-30&to=2026-03-05', 'from must be a date: a real calendar day'],
    ['from=2026-01-01&to=2026-04-31', 'to must be a date: a real calendar day'],
    ['from=2025-02-29&to=2025-03-01', 'from must be a date: a real calendar day'],
    ['from=0000-01-01&to=0000-01-02', 'from must be'],
    ['from=2026-13-01', 'from must be a date: a real calendar day'],
    ['from=2026-03-05&to=2026-03-01', 'from must not be after to'],
    ['from=2020-01-01&to=2026-01-01', 'at most 366 days'],
  ])('%s → 400', async (query, phrase) => {
    const res = await server.call('GET', `/portal/usage?${query}`, { headers: bearer(sk()) });
    expectEnvelope(res, 400, phrase);
  });

  it('a leap day is a real date', async () => {
    const res = await server.call('GET', '/portal/usage?from=2028-02-29&to=2028-03-01', {
      headers: bearer(sk()),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2028-02-29', to: '2028-03-01' });
  });
});

describe('prototype keys are refused with a precise message', () => {
  it.each([
    ['__proto__ at the top', '{"__proto__":{"admin":true},"amount":"1.00"}', '"__proto__"'],
    [
      '__proto__ inside metadata',
      JSON.stringify(SPEC_CREATE_BODY).replace('"order_id"', '"__proto__"'),
      '"__proto__"',
    ],
    ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}', '"constructor"'],
  ])('%s → 400 that names the key', async (_name, raw, key) => {
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: { ...writeHeaders(sk()), 'content-type': 'application/json' },
      body: raw,
    });
    expectEnvelope(res, 400, key);
    expect(JSON.stringify(res.body.message)).not.toContain('not valid JSON');
    expect(JSON.stringify(res.body.message)).toContain('prototype');
  });
});
