import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentedOperations } from '../src/app.ts';
import type { App } from '../src/http/context.ts';
import {
  bearer,
  SPEC_CREATE_BODY,
  SPEC_ORIGIN,
  type TestPartner,
  useTestServer,
  WIDGET_ORIGINS,
  writeHeaders,
} from './support/server.ts';

/**
 * The order of checks a partner can rely on (docs/errors.md "Order of checks"), on every route: a missing or
 * malformed credential answers 401 and a rejected one 403 before anything looks at the body or the query;
 * only an accepted credential gets to validation (400/422).
 */
const server = useTestServer();

type Guard = 'secret' | 'publishable' | 'embed' | 'admin';
interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path: string;
  guard: Guard;
  /** With an accepted credential, a request this route must refuse at validation; null: no input to get wrong. */
  invalid: { query?: string; body?: unknown } | null;
}

const ID = '67a1f3b9e4b0c10001234567';
const UNKNOWN_FIELD = { not_a_field: true };

/** Every route a partner, the widget or the operator can call; checked against the app's own route table. */
const ROUTES: RouteCase[] = [
  { method: 'POST', path: '/v1/gate_sessions', guard: 'secret', invalid: { body: {} } },
  { method: 'GET', path: '/v1/gate_sessions', guard: 'secret', invalid: { query: 'publishable_key=pk_x' } },
  { method: 'GET', path: `/v1/gate_sessions/${ID}`, guard: 'secret', invalid: null },
  {
    method: 'POST',
    path: `/v1/gate_sessions/${ID}/cancel`,
    guard: 'secret',
    invalid: { body: UNKNOWN_FIELD },
  },
  { method: 'GET', path: '/v1/events', guard: 'secret', invalid: { query: 'type=nope' } },
  { method: 'GET', path: '/v1/branding', guard: 'secret', invalid: null },
  { method: 'PATCH', path: '/v1/branding', guard: 'secret', invalid: { body: UNKNOWN_FIELD } },
  {
    method: 'POST',
    path: `/v1/test_helpers/sessions/${ID}/complete`,
    guard: 'secret',
    invalid: { body: UNKNOWN_FIELD },
  },
  {
    method: 'POST',
    path: `/v1/test_helpers/sessions/${ID}/fail`,
    guard: 'secret',
    invalid: { body: UNKNOWN_FIELD },
  },
  {
    method: 'POST',
    path: `/v1/test_helpers/sessions/${ID}/require_kyc`,
    guard: 'secret',
    invalid: { body: UNKNOWN_FIELD },
  },
  { method: 'POST', path: '/portal/keys', guard: 'secret', invalid: { body: {} } },
  { method: 'GET', path: '/portal/keys', guard: 'secret', invalid: null },
  { method: 'POST', path: `/portal/keys/${ID}/revoke`, guard: 'secret', invalid: { body: UNKNOWN_FIELD } },
  { method: 'GET', path: '/portal/allowed-domains', guard: 'secret', invalid: null },
  { method: 'PUT', path: '/portal/allowed-domains', guard: 'secret', invalid: { body: {} } },
  { method: 'GET', path: '/portal/usage', guard: 'secret', invalid: { query: 'from=yesterday' } },
  { method: 'GET', path: '/portal/webhook-endpoint', guard: 'secret', invalid: null },
  { method: 'PUT', path: '/portal/webhook-endpoint', guard: 'secret', invalid: { body: {} } },
  {
    method: 'POST',
    path: '/portal/webhook-secret/rotate',
    guard: 'secret',
    invalid: { body: UNKNOWN_FIELD },
  },
  { method: 'GET', path: '/portal/webhook-deliveries', guard: 'secret', invalid: { query: 'limit=0' } },
  { method: 'GET', path: `/portal/webhook-deliveries/${ID}`, guard: 'secret', invalid: null },
  { method: 'POST', path: `/portal/webhook-deliveries/${ID}/replay`, guard: 'secret', invalid: null },
  { method: 'POST', path: '/v1/embed/bootstrap', guard: 'publishable', invalid: { body: UNKNOWN_FIELD } },
  { method: 'GET', path: '/v1/embed/session', guard: 'embed', invalid: null },
  { method: 'POST', path: '/v1/embed/quote', guard: 'embed', invalid: { body: UNKNOWN_FIELD } },
  { method: 'POST', path: '/v1/embed/kyc', guard: 'embed', invalid: { body: UNKNOWN_FIELD } },
  { method: 'POST', path: '/v1/embed/intents', guard: 'embed', invalid: { body: UNKNOWN_FIELD } },
  { method: 'GET', path: '/v1/embed/intents/current', guard: 'embed', invalid: null },
  { method: 'POST', path: '/v1/embed/cancel', guard: 'embed', invalid: { body: UNKNOWN_FIELD } },
  {
    method: 'POST',
    path: `/v1/embed/intents/${ID}/confirm`,
    guard: 'embed',
    invalid: { body: UNKNOWN_FIELD },
  },
  { method: 'POST', path: '/admin/partners', guard: 'admin', invalid: { body: {} } },
  { method: 'GET', path: '/admin/partners', guard: 'admin', invalid: { query: 'limit=0' } },
  { method: 'GET', path: `/admin/partners/${ID}`, guard: 'admin', invalid: null },
  { method: 'PATCH', path: `/admin/partners/${ID}/kyc-trusted`, guard: 'admin', invalid: { body: {} } },
  { method: 'PATCH', path: `/admin/partners/${ID}/quota`, guard: 'admin', invalid: { body: UNKNOWN_FIELD } },
  {
    method: 'PATCH',
    path: `/admin/partners/${ID}/customer-limits`,
    guard: 'admin',
    invalid: { body: UNKNOWN_FIELD },
  },
];

/** Routes anyone may call without a credential. */
const PUBLIC_WITHOUT_CREDENTIAL = new Set([
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'GET /v1/openapi.json',
]);

/** Every method + path the app serves, read from Fastify's route tree (HEAD and CORS preflights left out). */
function servedRoutes(app: App): string[] {
  const served: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('');
    for (const method of match[3]!.split(', '))
      if (method !== 'HEAD' && method !== 'OPTIONS') served.push(`${method} ${path}`);
  }
  return served;
}

const pattern = (path: string) => path.replaceAll(ID, ':id');
const describeRoute = (route: RouteCase) => `${route.method} ${route.path}`;
const withQuery = (path: string, query: string | undefined) => (query ? `${path}?${query}` : path);
const hasBody = (method: string) => method !== 'GET';

let p: TestPartner;
let revokedSecret: string;
let embedToken: string;

/** What each rejected-credential case sends: a well-formed credential this route must refuse with 403. */
function rejected(route: RouteCase): Array<[string, Record<string, string>]> {
  switch (route.guard) {
    case 'secret':
      return [
        ['a publishable key', bearer(p.keys.test.publishable_key)],
        ['a revoked secret key', bearer(revokedSecret)],
        ['a test key on the live host', { ...bearer(p.keys.test.secret_key), host: 'gate-api.0bit.app' }],
      ];
    case 'publishable':
      return [
        ['a secret key', { ...bearer(p.keys.test.secret_key), origin: SPEC_ORIGIN }],
        [
          'a test key on the live host',
          { ...bearer(p.keys.test.publishable_key), host: 'gate-api.0bit.app' },
        ],
      ];
    case 'embed':
      return [['a valid token from another origin', { 'x-embed-token': embedToken, origin: SPEC_ORIGIN }]];
    case 'admin':
      return []; // one operator token: it is accepted or it is not (401)
  }
}

function malformed(route: RouteCase): Array<[string, Record<string, string>]> {
  switch (route.guard) {
    case 'secret':
    case 'publishable':
      return [
        ['a Basic Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
        ['a truncated key', bearer(route.guard === 'secret' ? 'sk_test_short' : 'pk_test_short')],
        ['an unknown key', bearer(`${route.guard === 'secret' ? 'sk' : 'pk'}_test_${'0'.repeat(32)}`)],
      ];
    case 'embed':
      return [['a token that is not a JWT', { 'x-embed-token': 'not-a-token', origin: WIDGET_ORIGINS.test }]];
    case 'admin':
      return [
        ['a Basic Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
        ['a wrong token', bearer('adm_wrong')],
      ];
  }
}

function accepted(route: RouteCase): Record<string, string> {
  switch (route.guard) {
    case 'secret':
      return writeHeaders(p.keys.test.secret_key);
    case 'publishable':
      return { ...bearer(p.keys.test.publishable_key), origin: SPEC_ORIGIN };
    case 'embed':
      return { 'x-embed-token': embedToken, origin: WIDGET_ORIGINS.test };
    case 'admin':
      return bearer(server.adminToken);
  }
}

/** The request under test; `{}` as the body (or an invalid query) so validation would fail if it ran first. */
function inject(route: RouteCase, headers: Record<string, string>, invalidInput = true) {
  const query = invalidInput ? (route.invalid?.query ?? 'not_a_parameter=1') : undefined;
  const body = invalidInput ? (route.invalid?.body ?? {}) : {};
  return server.app.inject({
    method: route.method,
    url: withQuery(route.path, query),
    headers,
    ...(hasBody(route.method) ? { payload: body as object } : {}),
  });
}

beforeAll(async () => {
  p = await server.partner();
  const created = await server.app.inject({
    method: 'POST',
    url: '/portal/keys',
    headers: writeHeaders(p.keys.test.secret_key),
    payload: { type: 'secret' },
  });
  expect(created.statusCode).toBe(201);
  revokedSecret = created.json().key;
  const revoked = await server.app.inject({
    method: 'POST',
    url: `/portal/keys/${created.json().id}/revoke`,
    headers: writeHeaders(p.keys.test.secret_key),
    payload: {},
  });
  expect(revoked.statusCode).toBe(200);
  const session = await server.app.inject({
    method: 'POST',
    url: '/v1/gate_sessions',
    headers: writeHeaders(p.keys.test.secret_key),
    payload: SPEC_CREATE_BODY,
  });
  expect(session.statusCode).toBe(201);
  const boot = await server.app.inject({
    method: 'POST',
    url: '/v1/embed/bootstrap',
    headers: { ...bearer(p.keys.test.publishable_key), origin: SPEC_ORIGIN },
    payload: { clientSecret: session.json().client_secret },
  });
  expect(boot.statusCode).toBe(200);
  embedToken = boot.json().token;
});

describe('0Gate: 401, then 403, then 400/422 on every route', () => {
  it('the table names every route the app serves', () => {
    const listed = new Set(ROUTES.map((r) => `${r.method} ${pattern(r.path)}`));
    const missing = servedRoutes(server.app).filter(
      (route) => !listed.has(route) && !PUBLIC_WITHOUT_CREDENTIAL.has(route),
    );
    expect(missing).toEqual([]);
    expect(servedRoutes(server.app)).toEqual(expect.arrayContaining([...listed]));
  });

  it('the OpenAPI document lists no route outside the table', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const listed = new Set(ROUTES.map((r) => `${r.method} ${pattern(r.path).replace(':id', '{id}')}`));
    const documented = documentedOperations(doc).map(({ method, path }) => `${method} ${path}`);
    expect(documented.filter((route) => !listed.has(route))).toEqual([]);
  });

  it.each(
    ROUTES.map((r) => [describeRoute(r), r] as const),
  )('%s: no credential, with {} or an invalid query → 401', async (_name, route) => {
    const res = await inject(route, {});
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    if (route.guard === 'publishable') {
      const viaQuery = await server.app.inject({
        method: route.method,
        url: `${route.path}?publishable_key=pk_test_short`,
        payload: UNKNOWN_FIELD,
      });
      expect(viaQuery.statusCode, viaQuery.body).toBe(401);
    }
  });

  it.each(
    ROUTES.map((r) => [describeRoute(r), r] as const),
  )('%s: malformed or unknown credential → 401', async (_name, route) => {
    for (const [what, headers] of malformed(route)) {
      const res = await inject(route, headers);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(401);
    }
  });

  it.each(
    ROUTES.filter((r) => r.guard !== 'admin').map((r) => [describeRoute(r), r] as const),
  )('%s: rejected credential → 403', async (_name, route) => {
    for (const [what, headers] of rejected(route)) {
      const res = await inject(route, headers);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(403);
      expect(res.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    }
  });

  it('a live secret key on a sandbox helper → 403 before validation', async () => {
    for (const action of ['complete', 'fail', 'require_kyc']) {
      const res = await server.app.inject({
        method: 'POST',
        url: `/v1/test_helpers/sessions/${ID}/${action}`,
        headers: bearer(p.keys.live.secret_key),
        payload: UNKNOWN_FIELD,
      });
      expect(res.statusCode, res.body).toBe(403);
    }
  });

  it.each(
    ROUTES.filter((r) => r.invalid).map((r) => [describeRoute(r), r] as const),
  )('%s: accepted credential, invalid input → 400/422', async (_name, route) => {
    const headers = accepted(route);
    const res = await server.app.inject({
      method: route.method,
      url: withQuery(route.path, route.invalid?.query),
      headers,
      ...(hasBody(route.method) ? { payload: (route.invalid?.body ?? {}) as object } : {}),
    });
    expect([400, 422], `${res.statusCode} ${res.body}`).toContain(res.statusCode);
  });

  it('an unauthenticated body that is not JSON, or not JSON at all, still answers 401', async () => {
    for (const [contentType, payload] of [
      ['application/json', '{"amount":'],
      ['text/plain', 'amount=1'],
    ]) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/gate_sessions',
        headers: { 'content-type': contentType!, 'idempotency-key': randomUUID() },
        payload,
      });
      expect(res.statusCode, `${contentType}: ${res.body}`).toBe(401);
    }
  });
});
