import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { buildApp } from '@0bit/api/app';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { SecretBox } from '@0bit/core/secret-box';
import { buildExchangeApp } from '@0bit/exchange/app';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

/**
 * A client that sends headers and part of a body and then stalls (or announces more bytes than it sends)
 * must not hold a connection open forever: both APIs answer 408 or close the socket within their timeouts.
 */
const TIMEOUTS = loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '500' }).httpTimeouts;
// The timeout plus the server's check interval, with room for a loaded machine; without timeouts it never ends.
const WITHIN_MS = 6000;

interface Outcome {
  closed: boolean;
  response: string;
  elapsedMs: number;
}

/** Writes `raw` and then nothing more; resolves when the server closes the socket, or after `waitMs`. */
function stall(port: number, raw: string, waitMs = WITHIN_MS): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ closed, response, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d) => {
      response += d;
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(raw);
  });
}

// `headers` carries a credential where the API checks one before reading the body (0Gate: a valid one; 0trace:
// well-formed headers, the signature is checked with the body): otherwise the
// request is refused with 401 at once and the stalled body is never waited for.
const halfBody = (path: string, headers: string) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"amount":`;
const lyingLength = (path: string, headers: string) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{}`;
const partialHeaders = (path: string) => `POST ${path} HTTP/1.1\r\nHost: localhost\r\nX-Slow: `;

function expectTimedOut(outcome: Outcome): void {
  expect(outcome.closed, `socket still open after ${outcome.elapsedMs} ms`).toBe(true);
  // Node answers 408 when it can; a socket closed without an answer is the other acceptable end.
  if (outcome.response !== '') expect(outcome.response).toMatch(/^HTTP\/1\.1 408/);
}

describe('request, header and body timeouts', () => {
  let database: TestDatabase;
  const apps: Record<string, { app: FastifyInstance; port: number; path: string; headers: string }> = {};

  beforeAll(async () => {
    database = await freshDatabase();
    const box = new SecretBox(SecretBox.generateKey());
    const adminToken = `adm_${randomBytes(20).toString('hex')}`;
    const gate = await buildApp({
      db: database.db,
      box,
      adminToken,
      counter: null,
      tokens: new EmbedTokens([{ kid: 'k', secret: randomBytes(32).toString('hex') }], 3600),
      timeouts: TIMEOUTS,
    });
    const exchange = await buildExchangeApp({
      db: database.db,
      box,
      adminToken,
      counter: null,
      timeouts: TIMEOUTS,
    });
    for (const [name, app, path, headers] of [
      ['0Gate', gate, '/admin/partners', `Authorization: Bearer ${adminToken}\r\n`],
      // 0trace refuses a request without its credential headers in onRequest, before reading the body.
      [
        '0trace',
        exchange,
        '/api/v1/price',
        'X-API-KEY: k\r\nX-API-SIGN: s\r\nX-API-NONCE: 0123456789abcdef\r\n',
      ],
    ] as const) {
      await app.listen({ port: 0, host: '127.0.0.1' });
      apps[name] = { app, port: (app.server.address() as { port: number }).port, path, headers };
    }
  });

  afterAll(async () => {
    for (const { app } of Object.values(apps)) await app.close();
    await database?.close();
  });

  for (const name of ['0Gate', '0trace']) {
    describe(name, () => {
      it('ends a request whose body stalls halfway', async () => {
        const { port, path, headers } = apps[name]!;
        expectTimedOut(await stall(port, halfBody(path, headers)));
      });

      it('ends a request whose Content-Length is larger than the body sent', async () => {
        const { port, path, headers } = apps[name]!;
        expectTimedOut(await stall(port, lyingLength(path, headers)));
      });

      it('ends a connection whose headers never finish', async () => {
        const { port, path } = apps[name]!;
        expectTimedOut(await stall(port, partialHeaders(path)));
      });

      it('still answers a normal request', async () => {
        const { port } = apps[name]!;
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        expect(res.status).toBeLessThan(500);
      });
    });
  }
});
