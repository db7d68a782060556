import { randomBytes } from 'node:crypto';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import type { WindowCounter } from '@0bit/http/counters';
import { checkHealth, type ReadinessProbes, registerLiveAndReady } from '@0bit/http/health';
import type { HttpMetrics } from '@0bit/http/metrics';
import { lazyRequestLogger } from '@0bit/http/request-logger';
import type { HttpTimeouts } from '@0bit/http/timeouts';
import { serverTimeoutOptions } from '@0bit/http/timeouts';
import { traceRequests } from '@0bit/http/tracing';
import { schemaErrorFormatter, validatorCompiler } from '@0bit/http/validation';
import { type EgressPolicy, STRICT_EGRESS } from '@0bit/webhooks/egress';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { EXCHANGE_DEFAULTS, type ExchangeConfig } from './config.ts';
import type { OrderDeps } from './domain/orders.ts';
import { RefcodeCache } from './domain/pricing.ts';
import { DEFAULT_PROVIDERS, type ProvidersByMode } from './domain/providers.ts';
import { adminRoutes } from './http/admin.ts';
import { apiRoutes } from './http/api.ts';
import { cabinetRoutes } from './http/cabinet.ts';
import { frameworkErrors, registerEnvelope } from './http/envelope.ts';
import { countAnswers, exchangeLogger } from './http/logging.ts';
import { registerOpenApi } from './http/openapi.ts';
import { RequestVerifier, registerBodyParsers } from './http/signed.ts';
import { DatabaseNonceStore, type NonceStore } from './store/nonces.ts';
import { QuoteWriter } from './store/quotes.ts';

export interface ExchangeDeps {
  db: Db;
  box: SecretBox;
  adminToken: string;
  counter: WindowCounter | null;
  config?: Partial<ExchangeConfig>;
  providers?: ProvidersByMode;
  /** Seen nonces: the database by default; Redis when the platform has REDIS_URL. Closed with the app. */
  nonces?: NonceStore;
  /** How long a credential or reference-code lookup may be reused (ms); 0 always asks the database. */
  credentialCacheTtlMs?: number;
  logger?: FastifyServerOptions['logger'];
  /** Where partner webhook URLs may point; no loopback unless given (WEBHOOK_ALLOW_LOOPBACK). */
  egress?: EgressPolicy;
  /** Request, header and idle timeouts; the platform's defaults when omitted. */
  timeouts?: HttpTimeouts;
  /** What /health/ready checks besides the database and Redis (the composition root's probes). */
  readiness?: ReadinessProbes;
  /** Request metrics (route, status class, product) into the process's Prometheus registry. */
  metrics?: HttpMetrics;
}

const BODY_LIMIT = 64 * 1024;
const PROCESS_PREFIX = randomBytes(8).toString('hex');
let requestCounter = 0;

/** Builds the 0trace partner API without listening (the composition root, apps/server services.ts, listens; tests listen on port 0). */
export async function buildExchangeApp(deps: ExchangeDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // No client address, user agent, headers or body, and no line per request (http/logging.ts).
    logger: exchangeLogger(deps.logger),
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT,
    // Unique without a CSPRNG call per request: a random process prefix and a counter.
    genReqId: () => `req_${PROCESS_PREFIX}${(requestCounter++).toString(16).padStart(8, '0')}`,
    requestIdHeader: false,
    // The platform's readable messages, one per problem (data.errors; http/signed.ts refuseBadBody).
    schemaErrorFormatter,
    frameworkErrors,
    ...serverTimeoutOptions(deps.timeouts),
  });
  deps.metrics?.observe(app, '0trace');
  // A callback hook, not an async one: this runs on every request and needs no promise.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('Request-Id', request.id);
    done();
  });
  traceRequests(app);
  // Signatures cover the exact bytes: the body is kept raw on the request and parsed strictly (http/signed.ts).
  registerBodyParsers(app);
  app.setValidatorCompiler(validatorCompiler);
  registerEnvelope(app);
  countAnswers(app);

  const config = { ...EXCHANGE_DEFAULTS, ...deps.config };
  const nonces: NonceStore = deps.nonces ?? new DatabaseNonceStore(deps.db);
  app.addHook('onClose', () => nonces.close()); // the app owns its nonce store's connection
  nonces.reportTo?.(app.log);
  // `npm run exchange` has no 0Gate app to announce rate-limit fallbacks; with `npm start` either may.
  deps.counter?.reportTo?.(app.log);
  const verifier = new RequestVerifier(deps.db, deps.box, nonces, deps.credentialCacheTtlMs ?? 0);
  const orders: OrderDeps = {
    db: deps.db,
    box: deps.box,
    providers: deps.providers ?? DEFAULT_PROVIDERS,
    refcodes: new RefcodeCache(deps.credentialCacheTtlMs ?? 0),
    quotes: new QuoteWriter(deps.db),
    config,
  };
  // Before the routes: @fastify/swagger documents the routes registered after it.
  await registerOpenApi(app);
  const signed = { verifier, counter: deps.counter };
  apiRoutes(app, { ...signed, orders });
  cabinetRoutes(app, {
    ...signed,
    db: deps.db,
    box: deps.box,
    orders,
    rotationOverlapSeconds: config.rotationOverlapSeconds,
  });
  adminRoutes(app, {
    db: deps.db,
    box: deps.box,
    adminToken: deps.adminToken,
    egress: deps.egress ?? STRICT_EGRESS,
  });
  // Redis matters here for nonces (and rate limits): `degraded` while they fall back; 503 without the database.
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    const report = await checkHealth(deps.db, nonces.check ? nonces : deps.counter);
    if (report.status !== 'unavailable') return { code: 0, msg: 'OK', data: report };
    return reply.code(503).send({
      code: 11,
      msg: 'UNAVAILABLE',
      data: { message: 'The database is not answering', ...report },
    });
  });
  // /health/live and /health/ready (docs/operating.md), in 0trace's envelope: code 11 UNAVAILABLE with 503.
  registerLiveAndReady(app, {
    db: deps.db,
    redis: nonces.check ? nonces : deps.counter,
    probes: deps.readiness,
    answer: (reply, report) =>
      reply.statusCode === 503
        ? { code: 11, msg: 'UNAVAILABLE', data: { message: 'This instance is not ready', ...report } }
        : { code: 0, msg: 'OK', data: report },
  });
  return app;
}
