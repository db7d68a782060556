import { createHash, createHmac, randomBytes } from 'node:crypto';
import { SecretBox } from '@0bit/core/secret-box';
import { MemoryCounter } from '@0bit/http/counters';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { injectInto, type RawRequest, type RawResponse, send } from '@0bit/testing/http';
import type { EgressPolicy } from '@0bit/webhooks/egress';
import { parseRetrySchedule } from '@0bit/webhooks/schedule';
import { startWebhookWorker } from '@0bit/webhooks/start';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildExchangeApp } from '../../src/app.ts';
import type { ExchangeConfig } from '../../src/config.ts';
import { DEFAULT_PROVIDERS, type ProvidersByMode } from '../../src/domain/providers.ts';
import { V2_ROUTES } from '../../src/http/signature-v2.ts';
import { startSettlement } from '../../src/settlement.ts';
import { DatabaseNonceStore, type NonceStore, RedisNonceStore } from '../../src/store/nonces.ts';

export interface Credentials {
  partnerId: string;
  apiKey: string;
  apiSecret: string;
  webhookSecret: string;
}

export interface ExchangeTestServer {
  /** The running app, for app.inject and its route table. */
  app: FastifyInstance;
  baseUrl: string;
  adminToken: string;
  database: TestDatabase;
  box: SecretBox;
  /** The Redis key prefix of this server's nonces, for a second instance sharing them. */
  noncePrefix: string;
  /** Onboards a new partner through the operator API and returns its sandbox credentials. */
  onboard(): Promise<Credentials>;
  /**
   * A signed call, signed here with node:crypto (tests also sign with openssl and Python): the quickstart's
   * body-only signature, or v2 on the routes that require it.
   */
  signed(
    path: string,
    body: unknown,
    credentials: Credentials,
    headers?: Record<string, string>,
  ): Promise<RawResponse>;
  /** A call signed with v2 whatever the route. */
  signedV2(
    path: string,
    body: unknown,
    credentials: Credentials,
    headers?: Record<string, string>,
  ): Promise<RawResponse>;
  /** An operator call (admin token), to the app in memory (app.inject) like `call`. */
  admin(method: string, path: string, body?: unknown): Promise<RawResponse>;
  /** A request to the app in memory (app.inject); `signed` and `signedV2` go the same way. */
  call(method: string, path: string, options?: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface ExchangeTestOptions {
  config?: Partial<ExchangeConfig>;
  rateLimits?: boolean;
  /** Run the webhook worker with a fast retry schedule. */
  webhooks?: boolean;
  /** The egress policy; local development (loopback in sandbox) unless a test says otherwise. */
  egress?: EgressPolicy;
  /** The chain and price providers of the API and its settlement loop (the sandbox ones by default). */
  providers?: ProvidersByMode;
  /** Run this server's settlement loop (every 100 ms); false when a test drives settlement itself. */
  settlement?: boolean;
}

export const SANDBOX_ADDRESSES = {
  btc: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  usdt_trc20: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
  eth: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  sol: 'So11111111111111111111111111111111111111112',
};

/** 0.01 BTC → USDT (Tron) at a float rate, to and from sandbox addresses: the /create body most tests send. */
export const FLOAT_ORDER = {
  type: 'float',
  fromCcy: 'btc',
  toCcy: 'usdt_trc20',
  direction: 'from',
  amount: '0.01',
  toAddress: SANDBOX_ADDRESSES.usdt_trc20,
  refundAddress: SANDBOX_ADDRESSES.btc,
};

export const hmacHex = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('hex');

export async function startExchangeServer(options: ExchangeTestOptions = {}): Promise<ExchangeTestServer> {
  const database = await freshDatabase();
  const box = new SecretBox(SecretBox.generateKey());
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const config = { sandboxSettleMs: 300, ...options.config };
  const counter = options.rateLimits ? new MemoryCounter() : null;
  // Nonces in Redis when the run has REDIS_URL (the CI PostgreSQL pass), in the database otherwise.
  const noncePrefix = `test:${randomBytes(6).toString('hex')}:`;
  const nonces: NonceStore = process.env.REDIS_URL
    ? new RedisNonceStore(process.env.REDIS_URL, noncePrefix)
    : new DatabaseNonceStore(database.db);
  const egress = options.egress ?? { allowLoopback: true };
  const providers = options.providers ?? DEFAULT_PROVIDERS;
  const app = await buildExchangeApp({
    db: database.db,
    box,
    adminToken,
    counter,
    config,
    nonces,
    providers,
    egress,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const settlement =
    options.settlement === false
      ? null
      : startSettlement({ db: database.db, providers }, 100, {
          info: () => {},
          warn: (obj, msg) => console.error(msg, obj),
        });
  const worker = options.webhooks
    ? startWebhookWorker(
        database,
        box,
        {
          workerEnabled: true,
          retrySchedule: parseRetrySchedule('0.2,0.2,0.2,0.2'),
          pollIntervalMs: 30_000,
          batchSize: 20,
          concurrency: 8,
          timeoutMs: 2_000,
          allowLoopback: egress.allowLoopback,
        },
        { info: () => {}, warn: () => {}, error: (...args: unknown[]) => console.error(...args) },
      )
    : null;
  const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  // The harness's own calls go to the app in memory (app.inject): none of their tests is about the socket.
  // The server still listens on baseUrl for what needs one (receivers, other processes, signedPost).
  const call = (method: string, path: string, requestOptions?: RawRequest) =>
    injectInto(app, baseUrl, method, path, requestOptions);
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { headers: { authorization: `Bearer ${adminToken}` }, body });
  return {
    app,
    baseUrl,
    adminToken,
    database,
    box,
    noncePrefix,
    admin,
    onboard: async () => {
      const response = await admin('POST', '/admin/exchange/partners', {
        name: `Partner ${randomBytes(3).toString('hex')}`,
      });
      if (response.status !== 201) throw new Error(`onboarding failed: ${JSON.stringify(response.body)}`);
      return response.body.data;
    },
    signed: (path, body, credentials, headers = {}) =>
      call('POST', path, signedRequest(path, body, credentials, headers)),
    signedV2: (path, body, credentials, headers = {}) =>
      call('POST', path, signedRequest(path, body, credentials, headers, 'v2')),
    call,
    close: async () => {
      await app.close();
      await settlement?.stop();
      await worker?.stop();
      await counter?.close();
      await database.close();
    },
  };
}

export function useExchangeServer(options: ExchangeTestOptions = {}): ExchangeTestServer {
  let running: ExchangeTestServer | undefined;
  beforeAll(async () => {
    running = await startExchangeServer(options);
  });
  afterAll(async () => running?.close());
  return new Proxy({} as ExchangeTestServer, {
    get: (_target, property) => {
      if (!running)
        throw new Error('the exchange test server is not started yet (use it inside a test or hook)');
      return running[property as keyof ExchangeTestServer];
    },
  });
}

/** Signature v2 headers for a POST of `body` to `path` (docs/exchange/authentication.md#signature-v2). */
export function v2Headers(
  credentials: Pick<Credentials, 'apiKey' | 'apiSecret'>,
  path: string,
  body: string,
): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const text = `v2\nPOST\n${path}\n${nonce}\n${timestamp}\n${bodyHash}`;
  return {
    'content-type': 'application/json',
    'x-api-key': credentials.apiKey,
    'x-api-sign': `v2=${hmacHex(credentials.apiSecret, text)}`,
    'x-api-nonce': nonce,
    'x-api-timestamp': timestamp,
  };
}

/**
 * A request signed here with node:crypto, with a fresh nonce, to any running 0trace API: body-only (the
 * quickstart) by default, v2 where the route requires it or when asked.
 */
export function signedPost(
  baseUrl: string,
  path: string,
  body: unknown,
  credentials: Pick<Credentials, 'apiKey' | 'apiSecret'>,
  headers: Record<string, string> = {},
  version: 'v1' | 'v2' = V2_ROUTES.has(path) ? 'v2' : 'v1',
): Promise<RawResponse> {
  return send(baseUrl, 'POST', path, signedRequest(path, body, credentials, headers, version));
}

/** The headers and raw body of a signed POST of `body` to `path` (signedPost without sending it). */
export function signedRequest(
  path: string,
  body: unknown,
  credentials: Pick<Credentials, 'apiKey' | 'apiSecret'>,
  headers: Record<string, string> = {},
  version: 'v1' | 'v2' = V2_ROUTES.has(path) ? 'v2' : 'v1',
): RawRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature =
    version === 'v2'
      ? v2Headers(credentials, path, raw)
      : {
          'content-type': 'application/json',
          'x-api-key': credentials.apiKey,
          'x-api-sign': hmacHex(credentials.apiSecret, raw),
          'x-api-nonce': randomBytes(16).toString('hex'),
        };
  return { headers: { ...signature, ...headers }, body: raw };
}

/** Polls until `check` returns a value (orders walk their states in the background). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
