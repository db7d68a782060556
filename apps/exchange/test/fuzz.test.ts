import { randomBytes } from 'node:crypto';
import { bodyFor, FUZZ_SCALE, FUZZ_SEED, short } from '@0bit/testing/fuzz';
import { send } from '@0bit/testing/http';
import { type TSchema, Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateBody, DepositBody, EmergencyBody, OrderBody, PriceBody } from '../src/domain/shapes.ts';
import { Cursor, Limit, RefcodeName, STATUSES } from '../src/http/cabinet.ts';
import {
  type Credentials,
  FLOAT_ORDER,
  hmacHex,
  SANDBOX_ADDRESSES,
  useExchangeServer,
} from './support/server.ts';

/**
 * Schema-driven fuzz test of 0trace (issue #14). 0trace has no OpenAPI yet, so bodies come from the routes'
 * TypeBox schemas; each is signed with the test credentials (or sent unsigned / mis-signed). No answer may
 * be 5xx and every error carries the `{ code, msg, data }` envelope.
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx vitest run apps/exchange/test/fuzz.test.ts
 */
const server = useExchangeServer();
let creds: Credentials;
let order: { id: string; token: string };

const CREATE = FLOAT_ORDER;

beforeAll(async () => {
  creds = await server.onboard();
  order = (await server.signed('/api/v1/create', CREATE, creds)).body.data;
});

/**
 * The cabinet's bodies, built from the pieces cabinet.ts exports in the shapes its routes declare inline
 * (replace with 0trace's OpenAPI once it has one). A drift only makes inputs less valid, never hides a 500.
 */
const closed = { additionalProperties: false };
const CABINET_BODIES = {
  Empty: Type.Object({}, closed),
  OrdersBody: Type.Object(
    {
      limit: Limit,
      startingAfter: Cursor,
      status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
    },
    closed,
  ),
  RefcodeCreateBody: Type.Object(
    { code: RefcodeName, markupBps: Type.Integer(), default: Type.Optional(Type.Boolean()) },
    closed,
  ),
  RefcodeUpdateBody: Type.Object(
    { code: RefcodeName, markupBps: Type.Optional(Type.Integer()), default: Type.Optional(Type.Boolean()) },
    closed,
  ),
  WebhooksBody: Type.Object(
    {
      limit: Limit,
      startingAfter: Cursor,
      status: Type.Optional(
        Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
      ),
      orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    },
    closed,
  ),
  ById: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, closed),
};

/** Field values that pass the schema and mean something to the domain, so bodies get past validation. */
const EXAMPLES = (): Record<string, unknown[]> => ({
  fromCcy: ['btc', 'BTC', 'eth', 'usdt_trc20', 'sol'],
  toCcy: ['usdt_trc20', 'eth', 'btc', 'USDTTRC'],
  amount: ['0.01', '1', '0.0001', '100000', '0'],
  toAddress: Object.values(SANDBOX_ADDRESSES),
  refundAddress: Object.values(SANDBOX_ADDRESSES),
  address: Object.values(SANDBOX_ADDRESSES),
  id: [order.id],
  token: [order.token],
  code: ['partner_a', 'DEFAULT'],
  markupBps: [0, 50, 1000, -1, 100000],
});

/** The schema with examples on the fields the domain knows (TypeBox schemas are JSON schemas). */
function withExamples(schema: TSchema) {
  const examples = EXAMPLES();
  const properties = Object.fromEntries(
    Object.entries((schema.properties ?? {}) as Record<string, TSchema>).map(([name, property]) => [
      name,
      examples[name] ? { ...property, examples: examples[name] } : property,
    ]),
  );
  return { ...schema, properties };
}

/** Bodies the quickstart shows, per route: the fuzz sends them and variations of them. */
const GOOD = (): Record<string, object[]> => {
  const { toAddress: _t, refundAddress: _r, ...price } = CREATE;
  return {
    '/api/v1/price': [price, { ...price, type: 'fixed' }, { ...price, direction: 'to', amount: '100' }],
    '/api/v1/create': [CREATE, { ...CREATE, type: 'fixed' }],
    '/api/v1/order': [order],
    '/api/v1/emergency': [
      { ...order, choice: 'REFUND', address: SANDBOX_ADDRESSES.btc },
      { ...order, choice: 'EXCHANGE' },
    ],
    '/api/v1/sandbox/deposit': [{ id: order.id, amount: '0.01', confirmations: 3 }],
    '/api/v1/cabinet/orders': [{ limit: 5 }, { limit: 2, startingAfter: order.id, status: 'NEW' }],
    '/api/v1/cabinet/refcodes/create': [{ code: 'partner_b', markupBps: 50 }],
    '/api/v1/cabinet/refcodes/update': [{ code: 'partner_b', markupBps: 60, default: true }],
    '/api/v1/cabinet/webhooks': [{ limit: 5, status: 'failed', orderId: order.id }],
  };
};

const ROUTES: Array<[string, TSchema, number]> = [
  ['/api/v1/price', PriceBody, 100],
  ['/api/v1/create', CreateBody, 100],
  ['/api/v1/order', OrderBody, 80],
  ['/api/v1/emergency', EmergencyBody, 80],
  ['/api/v1/sandbox/deposit', DepositBody, 50],
  ['/api/v1/cabinet/orders', CABINET_BODIES.OrdersBody, 50],
  ['/api/v1/cabinet/refcodes', CABINET_BODIES.Empty, 30],
  ['/api/v1/cabinet/refcodes/create', CABINET_BODIES.RefcodeCreateBody, 50],
  ['/api/v1/cabinet/refcodes/update', CABINET_BODIES.RefcodeUpdateBody, 50],
  ['/api/v1/cabinet/webhooks', CABINET_BODIES.WebhooksBody, 50],
  ['/api/v1/cabinet/webhooks/retrieve', CABINET_BODIES.ById, 40],
  ['/api/v1/cabinet/webhooks/replay', CABINET_BODIES.ById, 40],
  ['/api/v1/cabinet/webhook-secret/rotate', CABINET_BODIES.Empty, 20],
  ['/api/v1/cabinet/credentials/rotate', CABINET_BODIES.Empty, 20],
];

type Signing = 'valid' | 'unsigned' | 'wrong';

function expectEnvelope(status: number, text: string, where: string) {
  expect(status, where).toBeLessThan(500);
  const body = JSON.parse(text);
  expect(Object.keys(body).sort(), where).toEqual(['code', 'data', 'msg']);
  expect(typeof body.code, where).toBe('number');
  expect(typeof body.msg, where).toBe('string');
  if (status >= 400) {
    expect(body.code, where).toBeGreaterThan(0);
    expect(typeof body.data.message, where).toBe('string');
  } else expect(body.code, where).toBe(0);
}

describe('0trace fuzz: no signed input answers 5xx, every error has the envelope', () => {
  it('all signed routes', { timeout: 120_000 }, async () => {
    let total = 0;
    const failures: string[] = [];
    const stats: Record<string, Record<string, number>> = {};
    for (const [index, [path, schema, runs]] of ROUTES.entries()) {
      const arbitrary = fc.record({
        body: bodyFor(withExamples(schema), {}, GOOD()[path] ?? []),
        signing: fc.constantFrom<Signing>('valid', 'valid', 'valid', 'valid', 'valid', 'unsigned', 'wrong'),
        idempotencyKey: fc.option(fc.constantFrom('abc123abc', 'x'.repeat(300), 'k"ey', ''), {
          nil: undefined,
        }),
      });
      const result = await fc.check(
        fc.asyncProperty(arbitrary, async ({ body, signing, idempotencyKey }) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (signing !== 'unsigned') {
            headers['x-api-key'] = creds.apiKey;
            headers['x-api-sign'] = hmacHex(signing === 'valid' ? creds.apiSecret : 'wrong', body);
            headers['x-api-nonce'] = randomBytes(16).toString('hex');
          }
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          const res = await send(server.baseUrl, 'POST', path, { headers, body });
          total++;
          stats[path] = { ...stats[path], [res.body.msg]: (stats[path]?.[res.body.msg] ?? 0) + 1 };
          expectEnvelope(res.status, res.text, `${path} ${body.slice(0, 300)} → ${res.text.slice(0, 300)}`);
          // A rotation retires the credentials after the overlap: keep fuzzing with the new ones.
          if (path.endsWith('/credentials/rotate') && res.body.code === 0)
            creds = { ...creds, apiKey: res.body.data.apiKey, apiSecret: res.body.data.apiSecret };
        }),
        { seed: FUZZ_SEED + 100 + index, numRuns: Math.ceil(runs * FUZZ_SCALE), endOnFailure: true },
      );
      if (result.failed) failures.push(`${path}: ${short(fc.defaultReportMessage(result) ?? 'failed')}`);
    }
    // FUZZ_STATS=1 shows how many answers of each kind every route got (how deep the inputs reach).
    if (process.env.FUZZ_STATS) console.log(JSON.stringify(stats, null, 1));
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect(total).toBeGreaterThan(700);
  });

  it('operator onboarding routes', { timeout: 60_000 }, async () => {
    const onboard = {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 128 } },
    };
    const issue = {
      type: 'object',
      required: ['environment'],
      additionalProperties: false,
      properties: { environment: { enum: ['sandbox', 'live'] } },
    };
    const routes: Array<[string, fc.Arbitrary<string>, object, object[]]> = [
      ['/admin/exchange/partners', fc.constant(''), onboard, [{ name: 'Acme Ltd' }]],
      [
        '/admin/exchange/partners/{id}/credentials',
        fc.oneof(fc.constant(creds.partnerId), fc.string({ maxLength: 30 }), fc.uuid()),
        issue,
        [{ environment: 'sandbox' }, { environment: 'live' }],
      ],
    ];
    const failures: string[] = [];
    for (const [index, [template, ids, schema, good]] of routes.entries()) {
      const arbitrary = fc.record({ body: bodyFor(schema, {}, good), id: ids, authorized: fc.boolean() });
      const result = await fc.check(
        fc.asyncProperty(arbitrary, async ({ body, id, authorized }) => {
          const path = template.replace('{id}', encodeURIComponent(id.replace(/[\ud800-\udfff]/gu, '')));
          const res = await send(server.baseUrl, 'POST', path, {
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${authorized ? server.adminToken : 'adm_wrong'}`,
            },
            body,
          });
          expectEnvelope(res.status, res.text, `${path} ${body.slice(0, 300)} → ${res.text.slice(0, 300)}`);
        }),
        { seed: FUZZ_SEED + 200 + index, numRuns: Math.ceil(40 * FUZZ_SCALE), endOnFailure: true },
      );
      if (result.failed) failures.push(`${template}: ${short(fc.defaultReportMessage(result) ?? 'failed')}`);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  });
});
