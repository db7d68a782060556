import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { buildApp } from '@0bit/api/app';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { SecretBox } from '@0bit/core/secret-box';
import { buildExchangeApp } from '@0bit/exchange/app';
import { logSerializersFor } from '@0bit/http/request-logger';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { send } from '@0bit/testing/http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue #14, finding 10: the admin token was logged in clear when sent in a query string. Whatever a
// credential looks like, and whatever the parameter is called, the logged URL must not hold it.
const lines: string[] = [];
const stream = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

// Like a production ADMIN_TOKEN: no recognisable prefix.
const adminToken = randomBytes(24).toString('base64url');
const secretLike = {
  admin: adminToken,
  sk: `sk_test_${'A'.repeat(32)}`,
  pk: `pk_live_${'B'.repeat(32)}`,
  whsec: `whsec_${'C'.repeat(32)}`,
  gsec: `gsec_${'d'.repeat(24)}_${'E'.repeat(32)}`,
  cs: `cs_test_${'F'.repeat(24)}`,
  opaque1: `tok${randomBytes(12).toString('hex')}`,
  opaque2: `key${randomBytes(12).toString('hex')}`,
  opaque3: `sec${randomBytes(12).toString('hex')}`,
  opaque4: `sig${randomBytes(12).toString('hex')}`,
  opaque5: `cli${randomBytes(12).toString('hex')}`,
  opaque6: `api${randomBytes(12).toString('hex')}`,
  opaque7: `pwd${randomBytes(12).toString('hex')}`,
};
const QUERY = [
  `token=${secretLike.opaque1}`,
  `api_key=${secretLike.opaque2}`,
  `secret=${secretLike.opaque3}`,
  `signature=${secretLike.opaque4}`,
  `client_secret=${secretLike.opaque5}`,
  `apiKey=${secretLike.opaque6}`,
  `password=${secretLike.opaque7}`,
  `any=${secretLike.admin}`,
  `a=${secretLike.sk}`,
  `b=${secretLike.pk}`,
  `c=${secretLike.whsec}`,
  `d=${secretLike.gsec}`,
  `e=${secretLike.cs}`,
  'limit=10',
].join('&');

let database: TestDatabase;
let gate: FastifyInstance;
let exchange: FastifyInstance;
const base = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

beforeAll(async () => {
  database = await freshDatabase();
  const logger = { level: 'info', serializers: logSerializersFor([adminToken]), stream };
  const box = new SecretBox(SecretBox.generateKey());
  gate = await buildApp({
    db: database.db,
    box,
    adminToken,
    counter: null,
    tokens: new EmbedTokens([{ kid: 'k', secret: randomBytes(32).toString('hex') }], 3600),
    logger,
  });
  exchange = await buildExchangeApp({ db: database.db, box, adminToken, counter: null, logger });
  await gate.listen({ port: 0, host: '127.0.0.1' });
  await exchange.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await gate?.close();
  await exchange?.close();
  await database?.close();
});

function expectRedacted(logged: string[]) {
  const text = logged.join('\n');
  expect(text).toContain('limit=10');
  for (const [name, value] of Object.entries(secretLike)) {
    expect(text, `${name} leaked`).not.toContain(value);
  }
  expect(text).toContain('token=[redacted]');
  expect(text).toContain('sk_[redacted]');
}

describe('logged URLs never hold a credential', () => {
  async function logsOf(app: FastifyInstance, path: string): Promise<string[]> {
    const before = lines.length;
    await send(base(app), 'GET', `${path}?${QUERY}`);
    await new Promise((resolve) => setImmediate(resolve));
    return lines.slice(before);
  }

  it.each([
    ['0Gate admin route', () => gate, '/admin/partners'],
    ['0Gate unknown route (404)', () => gate, '/nowhere'],
    ['0Gate embed bootstrap', () => gate, '/v1/embed/bootstrap'],
  ])('%s', async (_name, app, path) => {
    const logged = await logsOf(app(), path);
    expect(logged.some((l) => l.includes('"url"'))).toBe(true);
    expectRedacted(logged);
  });

  // 0trace logs no line per request at all (docs/exchange/quickstart.md, "What we log"): no URL, so no
  // credential, whatever serialisers the caller passes.
  it.each([
    ['0trace route', () => exchange, '/api/v1/order'],
    ['0trace unknown route (404)', () => exchange, '/nowhere'],
  ])('%s', async (_name, app, path) => {
    const text = (await logsOf(app(), path)).join('\n');
    expect(text).not.toContain('"url"');
    for (const [name, value] of Object.entries(secretLike))
      expect(text, `${name} leaked`).not.toContain(value);
  });
});
