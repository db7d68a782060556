import { randomBytes, randomUUID } from 'node:crypto';
import type { Mode } from '@0bit/core/scope';
import { SecretBox } from '@0bit/core/secret-box';
import { MemoryCounter, RedisCounter, type WindowCounter } from '@0bit/http/counters';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { injectInto, type RawRequest, type RawResponse } from '@0bit/testing/http';
import type { EgressPolicy } from '@0bit/webhooks/egress';
import { parseRetrySchedule } from '@0bit/webhooks/schedule';
import { startWebhookWorker } from '@0bit/webhooks/start';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { EmbedTokenKey } from '../../src/config.ts';
import { DEFAULT_HOST_MODES, parseHostModes } from '../../src/config.ts';
import { EmbedTokens } from '../../src/domain/embed-token.ts';
import { createPartner, type KeyPair, type Partner } from '../../src/domain/partners.ts';
import type { App } from '../../src/http/context.ts';

export interface TestServer {
  app: App;
  tokens: EmbedTokens;
  /** The embed-token keys in force: the first signs. Tests forge tokens with and without them. */
  embedKeys: EmbedTokenKey[];
  database: TestDatabase;
  baseUrl: string;
  adminToken: string;
  box: SecretBox;
  /** A new partner with its four keys; every test makes its own so tests never share state. */
  partner(options?: { allowed_domains?: string[]; kyc_trusted?: boolean }): Promise<TestPartner>;
  /** A request to the app in memory (app.inject), with a fresh Idempotency-Key on writes that name none. */
  call(method: string, path: string, options?: RawRequest): Promise<RawResponse>;
  /** How many sessions a partner has, read from the database (what no API answer can hide). */
  sessionCount(partnerId: string): Promise<number>;
  close(): Promise<void>;
}

export interface TestPartner {
  partner: Partner;
  keys: { test: KeyPair; live: KeyPair };
}

export interface TestServerOptions {
  /** Turn rate limits on (memory counters, or Redis when REDIS_URL is set). Off by default. */
  rateLimits?: boolean;
  hostModes?: string;
  keyCacheTtlMs?: number;
  widgetOrigins?: Record<Mode, string>;
  embedTokenTtlSeconds?: number;
  /** Run the webhook worker in this test server, with a fast retry schedule. */
  webhooks?: { retrySchedule?: string; timeoutMs?: number; pollIntervalMs?: number; concurrency?: number };
  logger?: Parameters<typeof buildApp>[0]['logger'];
  /**
   * The egress policy; by default local development (loopback allowed in test mode), since the receivers
   * of these tests listen on 127.0.0.1. Tests of the production policy pass { allowLoopback: false }.
   */
  egress?: EgressPolicy;
  /** Ramp providers per mode (default: the platform's sandbox in test mode, none live). */
  rampProviders?: Parameters<typeof buildApp>[0]['rampProviders'];
}

export const SPEC_ORIGIN = 'https://partner.example';
/** Distinct widget origins per mode, as in production (sandbox vs live widget hosts). */
export const WIDGET_ORIGINS = { test: 'https://gate-sandbox.0bit.app', live: 'https://gate.0bit.app' };

/** Starts the real API on 127.0.0.1 with a random port and a database of its own. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await freshDatabase();
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const box = new SecretBox(SecretBox.generateKey());
  let counter: WindowCounter | null = null;
  if (options.rateLimits)
    counter = process.env.REDIS_URL
      ? new RedisCounter(process.env.REDIS_URL, `test:${randomBytes(6).toString('hex')}:`)
      : new MemoryCounter();
  const embedKeys = [
    { kid: 'k2', secret: randomBytes(32).toString('hex') },
    { kid: 'k1', secret: randomBytes(32).toString('hex') },
  ];
  const tokens = new EmbedTokens(embedKeys, options.embedTokenTtlSeconds ?? 3600);
  const egress = options.egress ?? { allowLoopback: true };
  const app = await buildApp({
    db: database.db,
    box,
    tokens,
    widgetOrigins: options.widgetOrigins ?? WIDGET_ORIGINS,
    adminToken,
    counter,
    hostModes: parseHostModes(options.hostModes ?? DEFAULT_HOST_MODES),
    keyCacheTtlMs: options.keyCacheTtlMs ?? 0,
    logger: options.logger ?? false,
    egress,
    ...(options.rampProviders ? { rampProviders: options.rampProviders } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const worker = options.webhooks
    ? startWebhookWorker(
        database,
        box,
        {
          workerEnabled: true,
          retrySchedule: parseRetrySchedule(options.webhooks.retrySchedule ?? '0.2,0.2,0.2,0.2'),
          pollIntervalMs: options.webhooks.pollIntervalMs ?? 30_000,
          batchSize: 20,
          concurrency: options.webhooks.concurrency ?? 16,
          timeoutMs: options.webhooks.timeoutMs ?? 2_000,
          allowLoopback: egress.allowLoopback,
        },
        { info: () => {}, warn: () => {}, error: (...args: unknown[]) => console.error(...args) },
        egress.resolve,
      )
    : null;
  const address = app.server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app,
    tokens,
    embedKeys,
    database,
    baseUrl,
    adminToken,
    box,
    partner: async (partnerOptions = {}) =>
      createPartner(database.db, {
        name: `Partner ${randomUUID().slice(0, 8)}`,
        allowed_domains: partnerOptions.allowed_domains ?? [SPEC_ORIGIN, 'http://localhost:3000'],
        kyc_trusted: partnerOptions.kyc_trusted ?? false,
      }),
    // In memory (app.inject): no test of these answers is about the socket. The server still listens on
    // baseUrl for what needs one (SDKs, the browser, other processes, fetch).
    call: (method, path, requestOptions) =>
      injectInto(app, baseUrl, method, path, withWriteKey(method, requestOptions)),
    sessionCount: async (partnerId) =>
      (
        await database.db
          .selectFrom('gate_sessions')
          .select('id')
          .where('partner_id', '=', partnerId)
          .execute()
      ).length,
    close: async () => {
      await app.close();
      await worker?.stop();
      await counter?.close();
      await database.close();
    },
  };
}

/** The spec's create body (0gate-sessions.txt, "Create session"), verbatim. */
export const SPEC_CREATE_BODY = {
  amount: '100.00',
  currency: 'EUR',
  return_url: 'https://partner.example/complete',
  cancel_url: 'https://partner.example/cancel',
  target_token: 'USDT',
  target_network: 'arbitrum',
  flow: 'on_ramp',
  user_reference: 'user_test_123',
  metadata: {
    order_id: 'order_test_123',
  },
};

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * Every partner write needs an Idempotency-Key, so `server.call` sends a fresh one on authenticated writes
 * that name none, as the SDKs do. A test of the missing key opts out by naming the header as undefined:
 * `{ ...bearer(sk), 'idempotency-key': undefined }`.
 */
function withWriteKey(method: string, options: RawRequest = {}): RawRequest {
  const headers = options.headers ?? {};
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method.toUpperCase())) return options;
  if (Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) return options;
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) return options;
  return { ...options, headers: { ...headers, 'idempotency-key': randomUUID() } };
}
export const writeHeaders = (key: string, idempotencyKey: string = randomUUID()) => ({
  ...bearer(key),
  'idempotency-key': idempotencyKey,
});

/**
 * Starts one server for the test file (beforeAll) and closes it (afterAll). The returned object forwards to
 * the running server, so tests read `server.call(…)` without a getter.
 */
export function useTestServer(options: TestServerOptions = {}): TestServer {
  let running: TestServer | undefined;
  beforeAll(async () => {
    running = await startTestServer(options);
  });
  afterAll(async () => running?.close());
  return new Proxy({} as TestServer, {
    get: (_target, property) => {
      if (!running) throw new Error('the test server is not started yet (use it inside a test or hook)');
      return running[property as keyof TestServer];
    },
  });
}
