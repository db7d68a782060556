import { rateLimit } from '@0bit/http/rate-limit';
import { checkEndpointUrl } from '@0bit/webhooks/egress';
import { Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../domain/events.ts';
import {
  RotateSecretBody,
  WebhookDelivery,
  WebhookDeliveryWithAttempts,
  WebhookEndpoint,
  WebhookEndpointBody,
  WebhookSecret,
} from '../domain/shapes.ts';
import { getDelivery, listDeliveries, replayDelivery } from '../domain/webhook-deliveries.ts';
import { getEndpoint, rotateSecret, setEndpoint } from '../domain/webhook-endpoints.ts';
import { scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import { IdempotencyHeader, readIdempotencyKey, runIdempotent } from './idempotency.ts';
import { DEFAULT_PAGE_SIZE, errorResponses, ListQuery, listOf } from './schemas.ts';

/** Partner portal: webhook endpoint, signing secret and the delivery log (secret key; the key's mode). */
export function portalWebhookRoutes(app: App, deps: RouteDeps): void {
  const security = [{ secretKey: [] }];
  const tags = ['Webhooks'];
  const guarded = {
    onRequest: [deps.secretKey],
    preHandler: [rateLimit(deps.counter, { name: 'portal.webhooks', perMinute: 60, per: 'key' })],
  };

  app.get(
    '/portal/webhook-endpoint',
    {
      ...guarded,
      schema: {
        operationId: 'getWebhookEndpoint',
        summary: "This mode's webhook endpoint",
        tags,
        security,
        response: { 200: Type.Ref(WebhookEndpoint), ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => getEndpoint(deps.db, scopeOf(request).scope),
  );

  app.put(
    '/portal/webhook-endpoint',
    {
      ...guarded,
      schema: {
        operationId: 'setWebhookEndpoint',
        summary: "Set this mode's webhook endpoint; the first call returns the whsec_ signing secret once",
        tags,
        security,
        headers: IdempotencyHeader,
        body: WebhookEndpointBody,
        response: { 200: Type.Ref(WebhookEndpoint), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      const { scope } = scopeOf(request);
      // Before the URL check, which resolves the host: a request without a key does no work at all.
      readIdempotencyKey(request);
      const url = await checkEndpointUrl(scope.mode, request.body.url, deps.egress);
      return runIdempotent(deps, request, reply, async (trx) => ({
        status: 200,
        body: await setEndpoint(trx, deps.box, scope, url),
      }));
    },
  );

  app.post(
    '/portal/webhook-secret/rotate',
    {
      ...guarded,
      schema: {
        operationId: 'rotateWebhookSecret',
        summary:
          'Roll the signing secret; the previous one keeps signing during the overlap window (default 24 h)',
        tags,
        security,
        headers: IdempotencyHeader,
        body: RotateSecretBody,
        response: { 200: Type.Ref(WebhookSecret), ...errorResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { scope } = scopeOf(request);
      return runIdempotent(deps, request, reply, async (trx) => ({
        status: 200,
        body: await rotateSecret(trx, deps.box, scope, request.body.expire_previous_in),
      }));
    },
  );

  app.get(
    '/portal/webhook-deliveries',
    {
      ...guarded,
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: 'Every delivery of this mode, newest first',
        tags,
        security,
        querystring: Type.Object(
          {
            ...ListQuery.properties,
            status: Type.Optional(Type.String({ enum: ['pending', 'succeeded', 'failed'] })),
            event_type: Type.Optional(Type.String({ enum: [...EVENT_TYPES] })),
            session_id: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: listOf(Type.Ref(WebhookDelivery), 'WebhookDeliveryList'),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      const { status, event_type, session_id, limit = DEFAULT_PAGE_SIZE, starting_after } = request.query;
      const page = await listDeliveries(
        deps.db,
        scopeOf(request).scope,
        {
          status: status as 'pending' | 'succeeded' | 'failed' | undefined,
          eventType: event_type,
          sessionId: session_id,
        },
        { limit, startingAfter: starting_after },
      );
      return { object: 'list' as const, ...page };
    },
  );

  const idParam = Type.Object({ id: Type.String({ description: 'Delivery id (UUID)' }) });
  app.get(
    '/portal/webhook-deliveries/:id',
    {
      ...guarded,
      schema: {
        operationId: 'retrieveWebhookDelivery',
        summary:
          'One delivery with every attempt: time, duration, status code, error, first 1 KB of the answer',
        tags,
        security,
        params: idParam,
        response: { 200: Type.Ref(WebhookDeliveryWithAttempts), ...errorResponses(401, 403, 404, 429) },
      },
    },
    async (request) => getDelivery(deps.db, scopeOf(request).scope, request.params.id),
  );

  app.post(
    '/portal/webhook-deliveries/:id/replay',
    {
      ...guarded,
      schema: {
        operationId: 'replayWebhookDelivery',
        summary: 'Send the delivery again now, with the same event id (also after it failed for good)',
        tags,
        security,
        headers: IdempotencyHeader,
        params: idParam,
        response: { 202: Type.Ref(WebhookDelivery), ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request, reply) =>
      runIdempotent(deps, request, reply, async (trx) => ({
        status: 202,
        body: await replayDelivery(trx, scopeOf(request).scope, request.params.id),
      })),
  );
}
