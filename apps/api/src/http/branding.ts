import { rateLimit } from '@0bit/http/rate-limit';
import { Type } from '@sinclair/typebox';
import { getBranding, updateBranding } from '../domain/branding.ts';
import { Branding, BrandingPatch } from '../domain/shapes.ts';
import { scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import { IdempotencyHeader, runIdempotent } from './idempotency.ts';
import { errorResponses } from './schemas.ts';

export function brandingRoutes(app: App, deps: RouteDeps): void {
  const guarded = {
    onRequest: [deps.secretKey],
    preHandler: [rateLimit(deps.counter, { name: 'branding', perMinute: 60, per: 'key' })],
  };
  const common = { tags: ['Branding'], security: [{ secretKey: [] }] };

  app.get(
    '/v1/branding',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'getBranding',
        summary: "This mode's co-branding tokens; all null means default 0Gate branding",
        response: { 200: Type.Ref(Branding), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => getBranding(deps.db, scopeOf(request).scope),
  );

  app.patch(
    '/v1/branding',
    {
      ...guarded,
      schema: {
        ...common,
        operationId: 'updateBranding',
        summary: 'Merge branding fields: sent fields replace, null clears, others stay',
        headers: IdempotencyHeader,
        body: BrandingPatch,
        response: { 200: Type.Ref(Branding), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) =>
      runIdempotent(deps, request, reply, async (trx) => ({
        status: 200,
        body: await updateBranding(trx, scopeOf(request).scope, request.body),
      })),
  );
}
