import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { SecretBox } from '@0bit/core/secret-box';
import { logSerializersFor } from '@0bit/http/request-logger';
import { freshDatabase } from '@0bit/testing/database';
import { describe, expect, it } from 'vitest';
import { buildExchangeApp } from '../src/app.ts';
import { FLOAT_ORDER, hmacHex, SANDBOX_ADDRESSES } from './support/server.ts';

// Marks a test can find again in the log: nothing of the client may reach it.
const CLIENT_ADDRESS = '127.0.0.42'; // a loopback address of its own, so it cannot be the server's
const FORWARDED_FOR = '203.0.113.77';
const USER_AGENT = `LogProbe/9.9 (ua-${randomBytes(4).toString('hex')})`;
const CUSTOM_HEADER = `header-${randomBytes(4).toString('hex')}`;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
  body: any;
}

/** A request from CLIENT_ADDRESS with a recognisable user agent and headers. */
function request(
  baseUrl: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, baseUrl),
      {
        method: 'POST',
        localAddress: CLIENT_ADDRESS,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': USER_AGENT,
          'x-forwarded-for': FORWARDED_FOR,
          'x-probe': CUSTOM_HEADER,
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('0trace logs (quickstart: "We retain no logs, metadata, or tracking cookies")', () => {
  it('hold no client address, user agent, headers or body — yet an error is logged, and answers are counted', async () => {
    const lines: string[] = [];
    const database = await freshDatabase();
    const adminToken = `adm_${randomBytes(20).toString('hex')}`;
    const app = await buildExchangeApp({
      db: database.db,
      box: new SecretBox(SecretBox.generateKey()),
      adminToken,
      counter: null,
      // What `npm start` hands 0trace: LOG_LEVEL and 0Gate's serializers (they log remote_address); 0trace's own win.
      logger: {
        level: 'info',
        serializers: logSerializersFor([]),
        stream: { write: (line: string) => lines.push(line) },
      },
    });
    let closed = false;
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

      const onboarded = await request(baseUrl, '/admin/exchange/partners', '{"name":"Log probe"}', {
        authorization: `Bearer ${adminToken}`,
      });
      expect(onboarded.status).toBe(201);
      const creds = onboarded.body.data;
      const idempotencyKey = randomUUID();
      const body = JSON.stringify(FLOAT_ORDER);
      const signed = () => ({
        'x-api-key': creds.apiKey,
        'x-api-sign': hmacHex(creds.apiSecret, body),
        'x-api-nonce': randomBytes(16).toString('hex'),
        'idempotency-key': idempotencyKey,
      });
      const created = await request(baseUrl, '/api/v1/create', body, signed());
      expect(created.body).toMatchObject({ code: 0, data: { status: 'NEW' } });

      // The database goes away under the running API: the next signed request is our failure.
      await database.close();
      const failed = await request(baseUrl, '/api/v1/create', body, signed());
      expect(failed.status).toBe(500);
      expect(failed.body).toMatchObject({ code: 99, msg: 'INTERNAL' });
      await app.close(); // flushes the answer counts
      closed = true;

      const log = lines.join('');
      const entries = lines.map((line) => JSON.parse(line));
      for (const secretOrClientData of [
        CLIENT_ADDRESS,
        FORWARDED_FOR,
        USER_AGENT,
        CUSTOM_HEADER,
        adminToken,
        creds.apiKey,
        creds.apiSecret,
        idempotencyKey,
        SANDBOX_ADDRESSES.usdt_trc20,
        SANDBOX_ADDRESSES.btc,
        created.body.data.id,
        created.body.data.token,
        created.body.data.from.address,
      ])
        expect(log, `the log holds ${secretOrClientData}:\n${log}`).not.toContain(secretOrClientData);
      expect(log).not.toMatch(/remote|user.?agent|"headers"|"req"|"body"/i);

      // The operator still sees the failure, tied to the Request-Id the client was given.
      const error = entries.find((e) => e.level === 50);
      expect(error, log).toMatchObject({
        reqId: failed.headers['request-id'],
        msg: 'unhandled error',
        method: 'POST',
        route: '/api/v1/create',
        err: { type: expect.any(String), message: expect.any(String), stack: expect.any(String) },
      });
      expect(error.err.message.length).toBeGreaterThan(0);
      // … and how many answers of each kind each route gave, without a line per request.
      expect(entries.find((e) => e.answers)?.answers, log).toEqual({
        'POST /admin/exchange/partners 201': 1,
        'POST /api/v1/create 200': 1,
        'POST /api/v1/create 500': 1,
      });
    } finally {
      if (!closed) {
        await app.close();
        await database.close().catch(() => {});
      }
    }
  });
});
