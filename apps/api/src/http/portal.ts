import { rateLimit } from '@0bit/http/rate-limit';
import { Type } from '@sinclair/typebox';
import { replaceAllowedDomains } from '../domain/partners.ts';
import { createKey, listKeys, revokeKey } from '../domain/portal-keys.ts';
import { ApiKey, CreatedApiKey, Usage } from '../domain/shapes.ts';
import { usage } from '../domain/usage.ts';
import { scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import { IdempotencyHeader, runIdempotent } from './idempotency.ts';
import { errorResponses } from './schemas.ts';

/** Partner portal (secret key; the key's mode): keys and allowed domains. Webhook routes: portal-webhooks.ts. */
export function portalRoutes(app: App, deps: RouteDeps): void {
  const guarded = {
    onRequest: [deps.secretKey],
    preHandler: [rateLimit(deps.counter, { name: 'portal', perMinute: 60, per: 'key' })],
  };
  const common = { tags: ['Portal'], security: [{ secretKey: [] }] };
  const keyRef = Type.Ref(ApiKey);

  app.post(
    '/portal/keys',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'createKey',
        summary: 'Create a publishable or secret key of this mode; the raw key is shown only in this answer',
        headers: IdempotencyHeader,
        body: Type.Object(
          {
            type: Type.Unsafe<'publishable' | 'secret'>({ type: 'string', enum: ['publishable', 'secret'] }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Ref(CreatedApiKey),
          ...errorResponses(400, 401, 403, 422, 429),
        },
      },
    },
    async (request, reply) =>
      runIdempotent(deps, request, reply, async (trx) => ({
        status: 201,
        body: await createKey(trx, scopeOf(request).scope, request.body.type),
      })),
  );

  app.get(
    '/portal/keys',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'listKeys',
        summary: "This mode's keys, never a raw key",
        response: {
          200: Type.Object({ object: Type.Literal('list'), data: Type.Array(keyRef) }),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async (request) => ({ object: 'list' as const, data: await listKeys(deps.db, scopeOf(request).scope) }),
  );

  app.post(
    '/portal/keys/:id/revoke',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'revokeKey',
        summary: 'Revoke a key now, or after expires_in seconds to roll it without downtime',
        headers: IdempotencyHeader,
        params: Type.Object({ id: Type.String() }),
        body: Type.Object(
          { expires_in: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600 })) },
          { additionalProperties: false },
        ),
        response: { 200: keyRef, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { scope } = scopeOf(request);
      const result = await runIdempotent(deps, request, reply, async (trx) => ({
        status: 200,
        body: await revokeKey(trx, scope, request.params.id, request.body.expires_in),
      }));
      deps.keyCache.forget((key) => key.partner_id === scope.partnerId);
      return result;
    },
  );

  const Domains = Type.Object({
    allowed_domains: Type.Array(Type.String({ maxLength: 255 }), {
      maxItems: 50,
      description:
        'Exact origins: scheme, host, optional port — e.g. https://shop.example, http://localhost:3000',
    }),
  });
  app.get(
    '/portal/allowed-domains',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'getAllowedDomains',
        summary: "This mode's origins allowed to embed the widget",
        response: { 200: Domains, ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ({ allowed_domains: scopeOf(request).partner.allowed_domains }),
  );
  app.put(
    '/portal/allowed-domains',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'setAllowedDomains',
        summary:
          "Replace this mode's allowed origins (the other mode's list is untouched; with a live key only https, except localhost)",
        headers: IdempotencyHeader,
        body: Type.Object(Domains.properties, { additionalProperties: false }),
        response: { 200: Domains, ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      const { scope } = scopeOf(request);
      const result = await runIdempotent(deps, request, reply, async (trx) => ({
        status: 200,
        body: { allowed_domains: await replaceAllowedDomains(trx, scope, request.body.allowed_domains) },
      }));
      deps.keyCache.forget((key) => key.partner_id === scope.partnerId);
      return result;
    },
  );

  app.get(
    '/portal/usage',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'getUsage',
        summary: 'Sessions per day by status, completed volume per currency, and this month’s quota',
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ format: 'date', description: 'YYYY-MM-DD (UTC), default 29 days before to' }),
            ),
            to: Type.Optional(
              Type.String({ format: 'date', description: 'YYYY-MM-DD (UTC), default today' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref(Usage), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) =>
      reply.send(
        await usage(deps.db, scopeOf(request).scope, { from: request.query.from, to: request.query.to }),
      ),
  );
}
