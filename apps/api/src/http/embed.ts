import { AuthenticationError, ConflictError, PermissionError } from '@0bit/core/errors';
import type { Mode } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { isRegisteredOrigin } from '@0bit/db/partners';
import { rateLimit } from '@0bit/http/rate-limit';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HostModes } from '../config.ts';
import { bootstrap } from '../domain/embed.ts';
import type { EmbedClaims, EmbedTokens } from '../domain/embed-token.ts';
import { findKeyById, type KeyCache } from '../domain/keys.ts';
import { retrieveSession } from '../domain/sessions.ts';
import { BootstrapBody, BootstrapSchema, GateSession } from '../domain/shapes.ts';
import { hostServesMode, scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import { errorResponses } from './schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    embed: EmbedClaims | null;
  }
}

export interface EmbedDeps {
  tokens: EmbedTokens;
  /** The key guard's cache: a revoked publishable key's tokens stop within its TTL (at once on this instance). */
  keyCache: KeyCache;
  widgetOrigins: Record<Mode, string>;
  hostModes: HostModes;
}

/** The page's origin: Origin, else the origin of Referer (spec), else null. "null" stays "null" (refused). */
function requestOrigin(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  if (typeof origin === 'string') return origin;
  const referer = request.headers.referer;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

/**
 * CORS for the embed API: answer exactly a registered origin or the hosted widget's, echoed (never `*`),
 * with Vary: Origin so caches keep answers per origin apart.
 */
function corsAllowed(db: Db, widgetOrigins: Record<Mode, string>) {
  const widget = new Set(Object.values(widgetOrigins));
  return async (origin: string | undefined): Promise<boolean> =>
    origin !== undefined &&
    origin !== 'null' &&
    (widget.has(origin) || (await isRegisteredOrigin(db, origin)));
}

const ALLOWED_HEADERS = 'authorization, content-type, x-publishable-key, x-embed-token';

/** The CORS hooks every /v1/embed route uses: an onRequest that echoes an allowed origin, and the preflight. */
export function embedCors(db: Db, embed: EmbedDeps) {
  const allowed = corsAllowed(db, embed.widgetOrigins);
  const cors = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (await allowed(origin)) reply.header('Access-Control-Allow-Origin', origin!);
  };
  const preflight = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (!(await allowed(origin)))
      throw new PermissionError(
        'This origin is not registered; add it to your allowed_domains in Partner Hub',
        'origin_not_allowed',
      );
    return reply
      .code(204)
      .header('Access-Control-Allow-Origin', origin!)
      .header('Access-Control-Allow-Methods', 'GET, POST')
      .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
      .header('Access-Control-Max-Age', '600')
      .send();
  };
  return { cors, preflight };
}

export function embedRoutes(app: App, deps: RouteDeps, embed: EmbedDeps): void {
  const { cors, preflight } = embedCors(deps.db, embed);

  app.options('/v1/embed/bootstrap', { schema: { hide: true } }, preflight);
  app.post(
    '/v1/embed/bootstrap',
    {
      onRequest: [cors, deps.publishableKey],
      preHandler: [rateLimit(deps.counter, { name: 'embed.bootstrap', perMinute: 30, per: 'ip' })],
      schema: {
        operationId: 'createEmbedToken',
        summary: 'Exchange a publishable key and optional clientSecret for a short-lived embed token',
        tags: ['Embed'],
        security: [{ publishableKey: [] }],
        querystring: Type.Object(
          { publishable_key: Type.Optional(Type.String({ description: 'pk_… (this route only)' })) },
          { additionalProperties: false },
        ),
        body: BootstrapBody,
        response: { 200: Type.Ref(BootstrapSchema), ...errorResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request) => {
      const auth = scopeOf(request);
      return bootstrap(deps.db, embed.tokens, {
        keyId: auth.keyId,
        partner: auth.partner,
        mode: auth.scope.mode,
        origin: requestOrigin(request),
        clientSecret: request.body.clientSecret,
        widgetOrigin: embed.widgetOrigins[auth.scope.mode],
      });
    },
  );

  const embedGuard = embedTokenGuard(deps.db, embed);
  app.options('/v1/embed/session', { schema: { hide: true } }, preflight);
  app.get(
    '/v1/embed/session',
    {
      onRequest: [cors, embedGuard],
      schema: {
        operationId: 'retrieveEmbedSession',
        summary: 'The widget reads its session (X-Embed-Token of a session-bound bootstrap)',
        tags: ['Embed'],
        security: [{ embedToken: [] }],
        response: { 200: Type.Ref(GateSession), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const claims = request.embed!;
      if (!claims.session_id)
        throw new ConflictError('This embed token is not bound to a session; bootstrap with a clientSecret');
      return retrieveSession(deps.db, { partnerId: claims.partner_id, mode: claims.mode }, claims.session_id);
    },
  );
}

/**
 * The guard of every widget → API call: a valid token (HS256, known kid, not expired, scope embed), sent
 * from the hosted widget's own origin for the token's mode, to a host serving that mode, minted by a
 * publishable key that is still active (through the key cache, so bounded by KEY_CACHE_TTL_MS), and — when the
 * token is session-bound — for a session that is still open.
 */
export function embedTokenGuard(db: Db, embed: EmbedDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const raw = request.headers['x-embed-token'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (!token) throw new AuthenticationError('Missing X-Embed-Token; get one from POST /v1/embed/bootstrap');
    const { claims, keyId } = await embed.tokens.verify(token);
    if (request.headers.origin !== embed.widgetOrigins[claims.mode])
      throw new PermissionError(
        'Embed tokens are accepted only from the hosted widget origin',
        'origin_not_allowed',
      );
    if (!hostServesMode(embed.hostModes, request.hostname, claims.mode))
      throw new PermissionError(`This host does not serve ${claims.mode} mode`, 'mode_mismatch');
    const key = await findKeyById(db, keyId, embed.keyCache);
    if (key?.kind !== 'publishable' || key.partner_id !== claims.partner_id || key.mode !== claims.mode)
      throw new AuthenticationError('Embed token names no publishable key of its partner; bootstrap again');
    if (key.revoked)
      throw new PermissionError(
        'The publishable key that issued this embed token has been revoked; bootstrap again with an active publishable key',
        'api_key_revoked',
      );
    if (claims.session_id) {
      const session = await retrieveSession(
        db,
        { partnerId: claims.partner_id, mode: claims.mode },
        claims.session_id,
      );
      if (session.status !== 'open') throw new ConflictError(`Session ${session.id} is ${session.status}`);
    }
    request.embed = claims;
  };
}
