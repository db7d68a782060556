import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { V2_ROUTES } from '../src/http/signature-v2.ts';
import { type Credentials, hmacHex, useExchangeServer, v2Headers } from './support/server.ts';

/**
 * The order of checks (docs/exchange/errors.md "Order of checks"): a missing, malformed, unknown or
 * mis-signed credential answers AUTH_INVALID (code 3, HTTP 401) before anything reads the body — whatever
 * the body is: empty, `{}`, broken JSON or not JSON at all. Only a verified request gets INVALID_REQUEST.
 */
const server = useExchangeServer();

/** Every method + path the app serves, from Fastify's route tree (HEAD and OPTIONS left out). */
function servedRoutes(app: FastifyInstance): Array<{ method: string; path: string }> {
  const served: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    stack.length = match[1]!.length / 4;
    stack.push(match[2]!);
    for (const method of match[3]!.split(', '))
      if (method !== 'HEAD' && method !== 'OPTIONS') served.push({ method, path: stack.join('') });
  }
  return served;
}

const UNKNOWN_FIELD = '{"not_a_field":1}';
/** Bodies that would fail validation (or parsing) if anything looked at them before the credential. */
const BODIES: Array<[string, string | undefined, string | undefined]> = [
  ['no body', undefined, undefined],
  ['{}', '{}', 'application/json'],
  ['an unknown field', UNKNOWN_FIELD, 'application/json'],
  ['broken JSON', '{"amount":', 'application/json'],
  ['a text/plain body', 'amount=1', 'text/plain'],
];
/**
 * Fresh eyes (#13): a body over 64 KB was refused as INVALID_REQUEST (after parsing) before the credential was
 * looked at. Without credential headers nothing of the body is read now; with them, the size limit applies
 * while reading (docs/exchange/errors.md).
 */
const OVERSIZED: [string, string, string] = [
  'a body over 64 KB',
  `{"pad":"${'x'.repeat(70_000)}"}`,
  'application/json',
];

let creds: Credentials;
let signedPaths: string[];
let adminRoutes: Array<{ method: string; path: string }>;

function post(path: string, headers: Record<string, string>, body?: string, contentType?: string) {
  return server.app.inject({
    method: 'POST',
    url: path,
    headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { payload: body } : {}),
  });
}

function expectAuthInvalid(res: { statusCode: number; body: string; json(): unknown }, what: string) {
  expect(res.statusCode, `${what}: ${res.body}`).toBe(401);
  expect(res.json(), what).toMatchObject({ code: 3, msg: 'AUTH_INVALID' });
}

const nonce = () => randomBytes(16).toString('hex');
const v1 = (apiKey: string, secret: string, body: string) => ({
  'x-api-key': apiKey,
  'x-api-sign': hmacHex(secret, body),
  'x-api-nonce': nonce(),
});

beforeAll(async () => {
  creds = await server.onboard();
  const routes = servedRoutes(server.app);
  // The OpenAPI document is the one unsigned read under /api/v1/ (openapi.test.ts).
  signedPaths = routes
    .filter((r) => r.path.startsWith('/api/v1/') && r.path !== '/api/v1/openapi.json')
    .map((r) => r.path);
  adminRoutes = routes
    .filter((r) => r.path.startsWith('/admin/'))
    .map((r) => ({ ...r, path: r.path.replace(':id', creds.partnerId) }));
});

describe('0trace: AUTH_INVALID before INVALID_REQUEST on every route', () => {
  it('finds the signed and operator routes, and serves nothing else but the health checks', () => {
    expect(signedPaths.length).toBeGreaterThanOrEqual(15);
    expect(signedPaths).toEqual(
      expect.arrayContaining(['/api/v1/create', '/api/v1/cabinet/credentials/rotate']),
    );
    expect(servedRoutes(server.app).filter((r) => r.method !== 'POST')).toEqual(
      expect.arrayContaining([{ method: 'GET', path: '/health' }]),
    );
    const others = servedRoutes(server.app).filter(
      (r) =>
        !r.path.startsWith('/api/v1/') &&
        !r.path.startsWith('/admin/') &&
        !['/health', '/health/live', '/health/ready'].includes(r.path),
    );
    expect(others).toEqual([]);
    expect(
      servedRoutes(server.app).filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'POST'),
    ).toEqual([{ method: 'GET', path: '/api/v1/openapi.json' }]);
  });

  it('every signed route: no X-API-* headers → AUTH_INVALID, whatever the body', async () => {
    for (const path of signedPaths)
      for (const [what, body, type] of [...BODIES, OVERSIZED])
        expectAuthInvalid(await post(path, {}, body, type), `${path} ${what}`);
  });

  it('every signed route: malformed X-API-* headers → AUTH_INVALID, whatever the body', async () => {
    for (const path of signedPaths)
      for (const [what, body, type] of BODIES) {
        const signed = v1(creds.apiKey, creds.apiSecret, body ?? '');
        for (const [problem, headers] of [
          ['no X-API-SIGN', { ...signed, 'x-api-sign': '' }],
          ['no X-API-NONCE', { 'x-api-key': creds.apiKey, 'x-api-sign': signed['x-api-sign'] }],
          ['a nonce too short', { ...signed, 'x-api-nonce': 'abc' }],
          ['a signature that is not hex', { ...signed, 'x-api-sign': 'not-hex' }],
          ['a v2 signature without timestamp', { ...signed, 'x-api-sign': `v2=${'0'.repeat(64)}` }],
        ] as const)
          expectAuthInvalid(await post(path, headers, body, type), `${path} ${what}, ${problem}`);
      }
  });

  it('every signed route: an unknown key or a wrong signature → AUTH_INVALID, whatever the body', async () => {
    for (const path of signedPaths)
      for (const [what, body, type] of BODIES) {
        const raw = body ?? '';
        for (const [problem, headers] of [
          ['an unknown key', v1(`ak_${randomBytes(16).toString('hex')}`, creds.apiSecret, raw)],
          ['a wrong secret', v1(creds.apiKey, 'not-the-secret', raw)],
          [
            'a v2 signature with a wrong secret',
            v2Headers({ apiKey: creds.apiKey, apiSecret: 'not-the-secret' }, path, raw),
          ],
        ] as const) {
          const { 'content-type': _ignored, ...rest } = headers as Record<string, string>;
          expectAuthInvalid(await post(path, rest, body, type), `${path} ${what}, ${problem}`);
        }
      }
  });

  it('every route that requires v2: a correct body-only signature → AUTH_INVALID before the body is read', async () => {
    const v2Only = signedPaths.filter((path) => V2_ROUTES.has(path));
    expect(v2Only.length).toBeGreaterThanOrEqual(4);
    for (const path of v2Only)
      for (const [what, body, type] of BODIES)
        expectAuthInvalid(
          await post(path, v1(creds.apiKey, creds.apiSecret, body ?? ''), body, type),
          `${path} ${what}`,
        );
  });

  it('every signed route: a verified request with a bad body → INVALID_REQUEST (400)', async () => {
    for (const path of signedPaths)
      for (const [what, body, type] of [
        ['an unknown field', UNKNOWN_FIELD, 'application/json'],
        ['broken JSON', '{"amount":', 'application/json'],
        ['a text/plain body', 'amount=1', 'text/plain'],
      ] as const) {
        const headers = V2_ROUTES.has(path)
          ? v2Headers(creds, path, body)
          : v1(creds.apiKey, creds.apiSecret, body);
        const { 'content-type': _ignored, ...rest } = headers as Record<string, string>;
        const res = await post(path, rest, body, type);
        expect(res.statusCode, `${path} ${what}: ${res.body}`).toBe(400);
        expect(res.json()).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
      }
  });

  it('every operator route: a missing, malformed or wrong admin token → AUTH_INVALID, whatever the body', async () => {
    expect(adminRoutes.length).toBeGreaterThanOrEqual(4);
    for (const { method, path } of adminRoutes)
      for (const [what, body, type] of BODIES)
        for (const headers of [
          {},
          { authorization: 'Basic dXNlcjpwYXNz' },
          { authorization: 'Bearer adm_wrong' },
        ]) {
          const res = await server.app.inject({
            method: method as 'POST',
            url: path,
            headers: { ...headers, ...(type ? { 'content-type': type } : {}) },
            ...(body !== undefined ? { payload: body } : {}),
          });
          expectAuthInvalid(res, `${method} ${path} ${what} ${JSON.stringify(headers)}`);
        }
  });

  it('every operator route: the admin token with a bad body → INVALID_REQUEST (400)', async () => {
    for (const { method, path } of adminRoutes) {
      const res = await server.app.inject({
        method: method as 'POST',
        url: path,
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
        payload: UNKNOWN_FIELD,
      });
      expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
    }
  });
});
