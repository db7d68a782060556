import { metrics } from '@0bit/http/metrics';
import { rateLimit } from '@0bit/http/rate-limit';
import {
  cancelSession,
  createNeedsTransaction,
  createSession,
  listSessions,
  planCreateSession,
  retrieveSession,
  settleExpiry,
} from '../domain/sessions.ts';
import { CreatedGateSession, CreateSessionBody, GateSession } from '../domain/shapes.ts';
import { scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import {
  IdempotencyHeader,
  readIdempotencyKey,
  runIdempotent,
  runIdempotentStatement,
} from './idempotency.ts';
import { DEFAULT_PAGE_SIZE, EmptyBody, errorResponses, ListQuery, listOf, ObjectIdParam } from './schemas.ts';

/** Limits from the glossary's "API surface, rate limits" table; list is not named there, so it matches retrieve. */
export const SESSION_LIMITS = {
  create: { name: 'sessions.create', perMinute: 10, per: 'key' },
  retrieve: { name: 'sessions.retrieve', perMinute: 60, per: 'key' },
  list: { name: 'sessions.list', perMinute: 60, per: 'key' },
  cancel: { name: 'sessions.cancel', perMinute: 30, per: 'key' },
} as const;

export function sessionRoutes(app: App, deps: RouteDeps): void {
  const security = [{ secretKey: [] }];

  app.post(
    '/v1/gate_sessions',
    {
      onRequest: [deps.secretKey],
      preHandler: [rateLimit(deps.counter, SESSION_LIMITS.create)],
      schema: {
        operationId: 'createSession',
        summary: 'Create a hosted session and return a browser-safe client_secret',
        tags: ['Sessions'],
        security,
        headers: IdempotencyHeader,
        body: CreateSessionBody,
        response: { 201: CreatedGateSession, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const auth = scopeOf(request);
      // A quota to charge or a customer's daily limit to sum reads before the insert: a transaction.
      // Otherwise the create is one statement.
      if (createNeedsTransaction(auth.partner, request.body))
        return runIdempotent(deps, request, reply, async (trx) => {
          const { session, clientSecret } = await createSession(
            trx,
            deps.box,
            auth.scope,
            auth.partner,
            request.body,
            deps.amountBounds,
          );
          return { status: 201, body: { ...session, client_secret: clientSecret } };
        });
      return runIdempotentStatement(
        deps,
        request,
        reply,
        () => {
          const { session, clientSecret, writes } = planCreateSession(
            deps.box,
            auth.scope,
            auth.partner,
            request.body,
            deps.amountBounds,
          );
          return { answer: { status: 201, body: { ...session, client_secret: clientSecret } }, writes };
          // The statement wrote gate_session.created without appendEvent, which counts the others.
        },
        () => metrics.sessionEvent(auth.scope.mode, 'gate_session.created'),
      );
    },
  );

  app.get(
    '/v1/gate_sessions',
    {
      onRequest: [deps.secretKey],
      preHandler: [rateLimit(deps.counter, SESSION_LIMITS.list)],
      schema: {
        operationId: 'listSessions',
        summary: 'Cursor-paginated session list for the authenticated partner, newest first',
        tags: ['Sessions'],
        security,
        querystring: ListQuery,
        response: { 200: listOf(GateSession, 'GateSessionList'), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const page = await listSessions(deps.db, scopeOf(request).scope, {
        limit: request.query.limit ?? DEFAULT_PAGE_SIZE,
        startingAfter: request.query.starting_after,
      });
      return { object: 'list' as const, ...page };
    },
  );

  app.get(
    '/v1/gate_sessions/:id',
    {
      onRequest: [deps.secretKey],
      preHandler: [rateLimit(deps.counter, SESSION_LIMITS.retrieve)],
      schema: {
        operationId: 'retrieveSession',
        summary: 'Retrieve a session (never returns the client_secret)',
        tags: ['Sessions'],
        security,
        params: ObjectIdParam,
        response: { 200: GateSession, ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => retrieveSession(deps.db, scopeOf(request).scope, request.params.id),
  );

  app.post(
    '/v1/gate_sessions/:id/cancel',
    {
      onRequest: [deps.secretKey],
      preHandler: [rateLimit(deps.counter, SESSION_LIMITS.cancel)],
      schema: {
        operationId: 'cancelSession',
        summary: 'Cancel an open session; 409 when it is already terminal',
        tags: ['Sessions'],
        security,
        headers: IdempotencyHeader,
        params: ObjectIdParam,
        body: EmptyBody,
        response: { 200: GateSession, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { scope } = scopeOf(request);
      readIdempotencyKey(request);
      await settleExpiry(deps.db, scope, request.params.id);
      return runIdempotent(deps, request, reply, async (trx) => ({
        status: 200,
        body: await cancelSession(trx, scope, request.params.id),
      }));
    },
  );
}
