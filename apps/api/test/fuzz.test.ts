import { randomUUID } from 'node:crypto';
import { bodyFor, FUZZ_SCALE, FUZZ_SEED, paramText, short } from '@0bit/testing/fuzz';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentedOperations } from '../src/app.ts';
import {
  SPEC_CREATE_BODY,
  SPEC_ORIGIN,
  type TestPartner,
  useTestServer,
  WIDGET_ORIGINS,
} from './support/server.ts';

/**
 * Schema-driven fuzz test of 0Gate (issue #14): every operation of GET /v1/openapi.json, plus the operator
 * routes it hides, gets valid-ish and hostile bodies, queries and path params, mostly with valid credentials,
 * through app.inject. No answer may be 5xx and every 4xx carries the documented envelope.
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx vitest run apps/api/test/fuzz.test.ts
 */
const server = useTestServer();
let p: TestPartner;
let sessionId: string;
let embedToken: string;
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document, read structurally.
let openapi: any;

beforeAll(async () => {
  p = await server.partner({ kyc_trusted: true });
  const secret = p.keys.test.secret_key;
  const created = await server.app.inject({
    method: 'POST',
    url: '/v1/gate_sessions',
    headers: { authorization: `Bearer ${secret}`, 'idempotency-key': randomUUID() },
    payload: SPEC_CREATE_BODY,
  });
  sessionId = created.json().id;
  // The widget's own session: never a path parameter, so the fuzzed cancel route cannot close it.
  const forEmbed = await server.app.inject({
    method: 'POST',
    url: '/v1/gate_sessions',
    headers: { authorization: `Bearer ${secret}`, 'idempotency-key': randomUUID() },
    payload: SPEC_CREATE_BODY,
  });
  const boot = await server.app.inject({
    method: 'POST',
    url: '/v1/embed/bootstrap',
    headers: { authorization: `Bearer ${p.keys.test.publishable_key}`, origin: SPEC_ORIGIN },
    payload: { clientSecret: forEmbed.json().client_secret },
  });
  embedToken = boot.json().token;
  openapi = (await server.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
});

/** encodeURIComponent throws on a lone surrogate: send its bytes as invalid UTF-8 instead, as an attacker can. */
function encodePathSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.replace(/[\ud800-\udfff]/gu, ''))}%ED%A0%80%FF`;
  }
}

const WALLET = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
/** Bodies the docs show, per operation: the fuzz sends them and variations of them. */
const GOOD: Record<string, object[]> = {
  'POST /v1/gate_sessions': [
    SPEC_CREATE_BODY,
    { amount: '10', currency: 'JPY', return_url: 'https://partner.example/done' },
    {
      ...SPEC_CREATE_BODY,
      kyc_package: { provider: 'sumsub', applicant: { id: 'a1', docs: [{ type: 'passport' }] } },
    },
    {
      ...SPEC_CREATE_BODY,
      flow: 'off_ramp',
      wallet_address: WALLET,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    },
  ],
  'PUT /portal/webhook-endpoint': [
    { url: 'https://partner.example/hooks' },
    { url: 'http://localhost:3000/hooks' },
  ],
  'PATCH /v1/branding': [
    { brand_name: 'Acme', primary_color: '#112233', logo_url: 'https://partner.example/l.png' },
  ],
  'POST /portal/keys': [{ type: 'publishable' }, { type: 'secret' }],
  'PUT /portal/allowed-domains': [{ allowed_domains: [SPEC_ORIGIN, 'http://localhost:3000'] }],
  'POST /v1/embed/quote': [{ amount: '100.00', currency: 'EUR' }],
  'POST /v1/embed/kyc': [
    { first_name: 'Ada', last_name: 'Lovelace', date_of_birth: '1990-01-01', country: 'DE' },
  ],
  'POST /v1/embed/intents': [{ amount: '100.00', currency: 'EUR', wallet_address: WALLET }],
  'POST /admin/partners': [{ name: 'Acme', allowed_domains: ['https://acme.example'], kyc_trusted: false }],
};

type Auth = 'valid' | 'none' | 'wrong' | 'garbage';

function headersFor(security: string, auth: Auth): Record<string, string> {
  const keys = p.keys.test;
  if (auth === 'none') return {};
  if (auth === 'garbage')
    return { authorization: 'Bearer sk_test_AAAAAAAAAAAAAAAAAAAAAAAA', 'x-embed-token': 'e.y.z' };
  switch (security) {
    case 'secretKey':
      return { authorization: `Bearer ${auth === 'valid' ? keys.secret_key : keys.publishable_key}` };
    case 'publishableKey':
      return {
        authorization: `Bearer ${auth === 'valid' ? keys.publishable_key : keys.secret_key}`,
        origin: SPEC_ORIGIN,
      };
    case 'embedToken':
      return { 'x-embed-token': embedToken, origin: auth === 'valid' ? WIDGET_ORIGINS.test : SPEC_ORIGIN };
    case 'admin':
      return { authorization: `Bearer ${auth === 'valid' ? server.adminToken : keys.secret_key}` };
    default:
      return {};
  }
}

interface Operation {
  method: string;
  path: string;
  security: string;
  // biome-ignore lint/suspicious/noExplicitAny: OpenAPI parameter objects.
  parameters: any[];
  // biome-ignore lint/suspicious/noExplicitAny: a JSON schema.
  body: any;
}

function operations(): Operation[] {
  const list: Operation[] = [];
  // Full paths: the document's paths are relative to its /v1 servers (the portal's to the bare origin).
  for (const { method, path, operation: op } of documentedOperations(openapi)) {
    const security = Object.keys((op.security as Array<Record<string, unknown>>)?.[0] ?? {})[0] ?? '';
    const body = (op.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content?.[
      'application/json'
    ]?.schema;
    list.push({
      method: method.toUpperCase(),
      path,
      security,
      parameters: (op.parameters as []) ?? [],
      body,
    });
  }
  // Hidden from the partner OpenAPI, but partner names come from here (finding 6).
  const name = { type: 'string', minLength: 1, maxLength: 128 };
  list.push(
    {
      method: 'POST',
      path: '/admin/partners',
      security: 'admin',
      parameters: [],
      body: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name,
          allowed_domains: { type: 'array', items: { type: 'string', format: 'uri' } },
          kyc_trusted: { type: 'boolean' },
        },
      },
    },
    {
      method: 'GET',
      path: '/admin/partners',
      security: 'admin',
      parameters: [
        { in: 'query', name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 100 } },
        { in: 'query', name: 'starting_after', schema: { type: 'string' } },
      ],
      body: undefined,
    },
    {
      method: 'GET',
      path: '/admin/partners/{id}',
      security: 'admin',
      parameters: [{ in: 'path', name: 'id', schema: { type: 'string' } }],
      body: undefined,
    },
  );
  return list;
}

const auths = fc.constantFrom<Auth>(
  'valid',
  'valid',
  'valid',
  'valid',
  'valid',
  'valid',
  'none',
  'wrong',
  'garbage',
);

function requestFor(op: Operation) {
  const pathParams = op.parameters.filter((x) => x.in === 'path');
  const queryParams = op.parameters.filter((x) => x.in === 'query');
  const ids = fc.oneof(fc.constant(sessionId), fc.uuid(), paramText({ type: 'string' }));
  return fc.record({
    auth: auths,
    path: fc.tuple(...pathParams.map(() => ids), fc.constant('')),
    query: fc.tuple(
      ...queryParams.map((q) => fc.option(paramText(q.schema, openapi), { nil: undefined, freq: 2 })),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.tuple(fc.constantFrom('__proto__', 'extra', 'limit[]', 'constructor'), paramText({})),
        },
      ),
    ),
    body:
      op.method === 'GET'
        ? fc.constant(undefined)
        : bodyFor(op.body, openapi, GOOD[`${op.method} ${op.path}`]),
    idempotencyKey: fc.oneof(
      { weight: 4, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(300), 'key with space', 'key;with;semicolons') },
    ),
  });
}

function expectEnvelope(status: number, text: string, where: string) {
  expect(status, where).toBeLessThan(500);
  if (status < 400) return;
  const body = JSON.parse(text);
  expect(
    Object.keys(body).filter((k) => !['statusCode', 'message', 'error', 'code'].includes(k)),
    where,
  ).toEqual([]);
  expect(body.statusCode, where).toBe(status);
  expect(typeof body.error, where).toBe('string');
  const messages = [body.message].flat();
  expect(messages.length, where).toBeGreaterThan(0);
  for (const message of messages) expect(typeof message, where).toBe('string');
}

describe('0Gate fuzz: no input answers 5xx, every 4xx has the envelope', () => {
  it('covers every OpenAPI operation', () => {
    expect(operations().length).toBeGreaterThanOrEqual(25);
  });

  it('all operations', { timeout: 120_000 }, async () => {
    const ops = operations();
    let total = 0;
    const failures: string[] = [];
    const stats: Record<string, Record<number, number>> = {};
    for (const [index, op] of ops.entries()) {
      const numRuns = Math.ceil((op.method === 'GET' ? 40 : 55) * FUZZ_SCALE);
      const result = await fc.check(
        fc.asyncProperty(requestFor(op), async (r) => {
          let url = op.path;
          const names = op.parameters.filter((x) => x.in === 'path').map((x) => x.name as string);
          names.forEach((name, i) => {
            url = url.replace(`{${name}}`, encodePathSegment(r.path[i] ?? ''));
          });
          const query = new URLSearchParams();
          op.parameters
            .filter((x) => x.in === 'query')
            .forEach((q, i) => {
              const value = r.query[i];
              if (value !== undefined) query.append(q.name, value as string);
            });
          const extra = r.query[r.query.length - 1] as [string, string] | undefined;
          if (extra) query.append(extra[0], extra[1]);
          const search = query.toString();
          const headers: Record<string, string> = {
            ...headersFor(op.security, r.auth),
            'idempotency-key': r.idempotencyKey,
          };
          if (r.body !== undefined) headers['content-type'] = 'application/json';
          const res = await server.app.inject({
            method: op.method as 'GET',
            url: search ? `${url}?${search}` : url,
            headers,
            ...(r.body !== undefined ? { payload: r.body } : {}),
          });
          total++;
          const key = `${op.method} ${op.path}`;
          stats[key] = { ...stats[key], [res.statusCode]: (stats[key]?.[res.statusCode] ?? 0) + 1 };
          expectEnvelope(
            res.statusCode,
            res.body,
            `${op.method} ${url}?${search} ${String(r.body).slice(0, 300)} → ${res.body.slice(0, 300)}`,
          );
        }),
        { seed: FUZZ_SEED + index, numRuns, endOnFailure: true },
      );
      // Every operation runs even when one fails, so one run lists every 500 there is.
      if (result.failed)
        failures.push(short(fc.defaultReportMessage(result) ?? `${op.method} ${op.path} failed`));
    }
    // FUZZ_STATS=1 shows how many answers of each status every operation got (how deep the inputs reach).
    if (process.env.FUZZ_STATS) console.log(JSON.stringify(stats, null, 1));
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect(total).toBeGreaterThan(1000);
  });
});
