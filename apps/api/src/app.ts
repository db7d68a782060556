import { randomBytes } from 'node:crypto';
import { BadRequestError } from '@0bit/core/errors';
import type { Mode } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import { TtlCache } from '@0bit/core/ttl-cache';
import type { Db } from '@0bit/db/connection';
import { adminGuard } from '@0bit/http/admin-guard';
import type { WindowCounter } from '@0bit/http/counters';
import type { ReadinessProbes } from '@0bit/http/health';
import type { HttpMetrics } from '@0bit/http/metrics';
import { lazyRequestLogger } from '@0bit/http/request-logger';
import { type HttpTimeouts, serverTimeoutOptions } from '@0bit/http/timeouts';
import { traceRequests } from '@0bit/http/tracing';
import {
  findPrototypeKey,
  namedSchemas,
  prototypeKeyMessage,
  schemaErrorFormatter,
  validatorCompiler,
} from '@0bit/http/validation';
import { type EgressPolicy, STRICT_EGRESS } from '@0bit/webhooks/egress';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { DEFAULT_HOST_MODES, type HostModes, parseHostModes } from './config.ts';
import type { EmbedTokens } from './domain/embed-token.ts';
import type { KeyLookup } from './domain/keys.ts';
import { type AmountBoundsByCurrency, DEFAULT_AMOUNT_BOUNDS } from './domain/limits.ts';
import { DEFAULT_RAMP_PROVIDERS, type RampProvidersByMode } from './domain/ramp/providers.ts';
import * as shapes from './domain/shapes.ts';
import { adminRoutes } from './http/admin.ts';
import { keyGuard, refuseSecretKeyInUrl } from './http/auth.ts';
import { brandingRoutes } from './http/branding.ts';
import type { App, RouteDeps } from './http/context.ts';
import { embedRoutes } from './http/embed.ts';
import { frameworkErrors, registerErrorHandling } from './http/errors.ts';
import { eventRoutes } from './http/events.ts';
import { healthRoutes } from './http/health.ts';
import { portalRoutes } from './http/portal.ts';
import { portalWebhookRoutes } from './http/portal-webhooks.ts';
import { ErrorEnvelope } from './http/schemas.ts';
import { sessionRoutes } from './http/sessions.ts';
import { testHelperRoutes } from './http/test-helpers.ts';
import { widgetRoutes } from './http/widget.ts';

export interface AppDeps {
  db: Db;
  box: SecretBox;
  adminToken: string;
  hostModes?: HostModes;
  /** Rate-limit counters; null turns rate limits off (benchmarks, most tests). */
  counter: WindowCounter | null;
  trustProxy?: boolean;
  /** How long a key lookup may be reused (ms); 0 (the default here) always asks the database. */
  keyCacheTtlMs?: number;
  /** Embed tokens and the hosted widget's origin per mode. */
  tokens: EmbedTokens;
  widgetOrigins?: Record<Mode, string>;
  /** The Partner Hub's public URL, for the invitation links POST /admin/partners answers with. */
  hubUrl?: string;
  logger?: FastifyServerOptions['logger'];
  /** Card rail, KYC, settlement and prices per mode; live has none unless configured (widget answers 503). */
  rampProviders?: RampProvidersByMode;
  /** Where partner webhook URLs may point; no loopback unless given (WEBHOOK_ALLOW_LOOPBACK, read by @0bit/webhooks/start). */
  egress?: EgressPolicy;
  /** Request, header and idle timeouts; the defaults when omitted (config.ts HTTP_TIMEOUT_DEFAULTS). */
  timeouts?: HttpTimeouts;
  /** Per-currency session amount bounds over the defaults (SESSION_AMOUNT_BOUNDS). */
  amountBounds?: AmountBoundsByCurrency;
  /** What /health/ready checks besides the database and Redis (the composition root's probes). */
  readiness?: ReadinessProbes;
  /** Request metrics (route, status class, product) into the process's Prometheus registry. */
  metrics?: HttpMetrics;
}

export const API_VERSION = '2026-05-25';
const BODY_LIMIT = 64 * 1024;

/** A plain parse only makes own properties (no pollution): safe for finding the key to name, then dropped. */
function prototypeKeyIn(text: string): string[] | null {
  try {
    return findPrototypeKey(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Where 0Gate is served, per mode and locally (origins; the OpenAPI servers add /v1). */
const API_SERVERS = [
  { url: 'https://gate-api-sandbox.0bit.app', description: 'Sandbox (test mode, sk_test_/pk_test_ keys)' },
  { url: 'https://gate-api.0bit.app', description: 'Production (live mode, sk_live_/pk_live_ keys)' },
  { url: 'http://localhost:4000', description: 'Local development (npm start)' },
];

interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** The schemas of domain/shapes.ts that carry an $id, i.e. the API's named objects. */
export const publishedShapes = (): TSchema[] => namedSchemas(shapes);

/**
 * Paths relative to the /v1 servers, so a client joining server and path reaches /v1/gate_sessions (not
 * /v1/v1/…). The portal routes live outside /v1: their path items name the bare origins as their servers.
 */
export function relativeToApiBase(document: OpenApiDocument): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(document.paths ?? {}))
    if (path.startsWith('/v1/')) paths[path.slice('/v1'.length)] = item;
    else paths[path] = { servers: API_SERVERS, ...item };
  return { ...document, paths };
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every operation of the document with the full path a client requests (server path + path). */
export function documentedOperations(
  document: OpenApiDocument,
): Array<{ method: string; path: string; operation: Record<string, unknown> }> {
  const base = (servers: unknown) =>
    new URL((servers as Array<{ url: string }>)[0]!.url).pathname.replace(/\/$/, '');
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path: `${base(item.servers ?? document.servers)}${path}`,
        operation: operation as Record<string, unknown>,
      })),
  );
}

/**
 * Request ids must be unique, not secret: a random per-process prefix and a counter (24 hex digits, as
 * before) instead of a CSPRNG call per request.
 */
const REQUEST_ID_PREFIX = randomBytes(6).toString('hex');
let requestCounter = 0;
const nextRequestId = () => `req_${REQUEST_ID_PREFIX}${(requestCounter++).toString(16).padStart(12, '0')}`;

/** Builds the 0Gate API without listening: the composition root (apps/server services.ts) listens; tests inject or listen on port 0. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.trustProxy ?? false,
    genReqId: nextRequestId,
    requestIdHeader: false,
    schemaErrorFormatter,
    frameworkErrors,
    ...serverTimeoutOptions(deps.timeouts),
  }).withTypeProvider<TypeBoxTypeProvider>() as App;

  deps.metrics?.observe(app, '0gate');
  // Redis going away (and coming back) is announced once in this app's log, not once per request.
  deps.counter?.reportTo?.(app.log);
  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('auth', null);
  app.decorateRequest('embed', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Request-Id', request.id);
  });
  app.addHook('onRequest', refuseSecretKeyInUrl);
  traceRequests(app);

  // An empty JSON body on a POST with no fields (cancel, test helpers) is fine; anything else must parse.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers(); // JSON only: text/plain and others answer 415
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    parseJson(request, body as string, (error, value) => {
      // The secure parser refuses prototype keys with the same message as broken JSON; name the key instead.
      const path = error ? prototypeKeyIn(body as string) : null;
      if (path) return done(new BadRequestError([prototypeKeyMessage(path)]), undefined);
      done(error, value);
    });
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method !== 'GET') request.body = {};
  });

  registerErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '0Gate API',
        version: API_VERSION,
        description:
          'Create hosted 0Gate sessions server-side with a secret key; the browser gets only a one-time client_secret. Final state comes from signed webhooks and trusted server reads.',
      },
      // The contract's base URLs include /v1 (spec: environments and modes), so the paths under /v1 are
      // written relative to it (transformObject below); the SDKs still take the bare origin.
      servers: API_SERVERS.map((s) => ({ ...s, url: `${s.url}/v1` })),
      components: {
        securitySchemes: {
          secretKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'sk_test_… or sk_live_…, server-side only',
          },
          publishableKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'pk_test_… or pk_live_…, browser-safe',
          },
          embedToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Embed-Token',
            description: 'From POST /v1/embed/bootstrap; accepted only from the hosted widget origin',
          },
        },
      },
      tags: [
        { name: 'Sessions', description: 'Hosted buy, sell and swap sessions' },
        { name: 'Events', description: 'Every state change, for reconciliation' },
        { name: 'Webhooks', description: 'Your endpoint, its signing secret, and every delivery' },
        { name: 'Embed', description: 'Browser-safe bootstrap of the hosted widget' },
        { name: 'Branding', description: 'Partner co-branding tokens shown in the widget' },
        { name: 'Portal', description: 'Your keys, allowed domains and usage' },
      ],
    },
    // Stripping is ours (relativeToApiBase): the plugin's would also leave /portal paths under the /v1 servers.
    stripBasePath: false,
    transformObject: (documentObject) =>
      relativeToApiBase((documentObject as { openapiObject: OpenApiDocument }).openapiObject) as never,
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // Every shape with an $id is one named component of the OpenAPI document (and so one named SDK type):
  // all of domain/shapes.ts, registered here so a new shape cannot be left out.
  for (const schema of [ErrorEnvelope, ...publishedShapes()]) app.addSchema(schema);

  const hostModes = deps.hostModes ?? parseHostModes(DEFAULT_HOST_MODES);
  const keyCache = new TtlCache<KeyLookup>(deps.keyCacheTtlMs ?? 0);
  const keys = { db: deps.db, hostModes, cache: keyCache };
  const routeDeps: RouteDeps = {
    db: deps.db,
    box: deps.box,
    counter: deps.counter,
    secretKey: keyGuard(keys, 'secret'),
    // The publishable key may also come as ?publishable_key= (bootstrap only; glossary).
    publishableKey: keyGuard(keys, 'publishable', {
      credential: (request) => (request.query as { publishable_key?: string } | undefined)?.publishable_key,
    }),
    admin: adminGuard(deps.adminToken),
    keyCache,
    egress: deps.egress ?? STRICT_EGRESS,
    amountBounds: { ...DEFAULT_AMOUNT_BOUNDS, ...deps.amountBounds },
    hubUrl: deps.hubUrl ?? 'http://localhost:3100',
  };
  healthRoutes(app, routeDeps, deps.readiness);
  sessionRoutes(app, routeDeps);
  eventRoutes(app, routeDeps);
  testHelperRoutes(app, routeDeps);
  adminRoutes(app, routeDeps);
  portalWebhookRoutes(app, routeDeps);
  brandingRoutes(app, routeDeps);
  portalRoutes(app, routeDeps);
  const embed = {
    tokens: deps.tokens,
    widgetOrigins: deps.widgetOrigins ?? { test: 'http://localhost:3000', live: 'http://localhost:3000' },
    hostModes,
    keyCache,
  };
  embedRoutes(app, routeDeps, embed);
  widgetRoutes(app, routeDeps, embed, deps.rampProviders ?? DEFAULT_RAMP_PROVIDERS);
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
