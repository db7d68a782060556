import { Type } from '@sinclair/typebox';
import {
  createPartner,
  getPartner,
  listPartners,
  setCustomerDailyLimits,
  setKycTrusted,
} from '../domain/partners.ts';
import { changeQuota } from '../domain/quotas.ts';
import { ModeSchema } from '../domain/shapes.ts';
import type { App, RouteDeps } from './context.ts';
import { DEFAULT_PAGE_SIZE, ListQuery, ObjectIdParam } from './schemas.ts';

/** Operator API (no /v1 prefix, as in the glossary), behind ADMIN_TOKEN; hidden from the partner OpenAPI. */
export function adminRoutes(app: App, deps: RouteDeps): void {
  const base = { onRequest: [deps.admin] };

  app.post(
    '/admin/partners',
    {
      ...base,
      schema: {
        hide: true,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 128 }),
            allowed_domains: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
            kyc_trusted: Type.Optional(Type.Boolean()),
            owner_email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await createPartner(deps.db, request.body, { hubUrl: deps.hubUrl, ip: request.ip })),
  );

  app.get(
    '/admin/partners',
    { ...base, schema: { hide: true, querystring: ListQuery } },
    async (request) => ({
      object: 'list' as const,
      ...(await listPartners(deps.db, {
        limit: request.query.limit ?? DEFAULT_PAGE_SIZE,
        startingAfter: request.query.starting_after,
      })),
    }),
  );

  app.get(
    '/admin/partners/:id',
    { ...base, schema: { hide: true, params: ObjectIdParam } },
    async (request) => getPartner(deps.db, request.params.id),
  );

  app.patch(
    '/admin/partners/:id/kyc-trusted',
    {
      ...base,
      schema: {
        hide: true,
        params: ObjectIdParam,
        body: Type.Object({ kyc_trusted: Type.Boolean() }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const partner = await setKycTrusted(deps.db, request.params.id, request.body.kyc_trusted);
      deps.keyCache.forget((key) => key.partner_id === partner.id);
      return partner;
    },
  );

  app.patch(
    '/admin/partners/:id/customer-limits',
    {
      ...base,
      schema: {
        hide: true,
        params: ObjectIdParam,
        body: Type.Object(
          {
            daily: Type.Union([
              Type.Record(
                Type.String({ pattern: '^[A-Z]{3}$' }),
                Type.String({ minLength: 1, maxLength: 32 }),
                {
                  maxProperties: 50,
                },
              ),
              Type.Null(),
            ]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const result = await setCustomerDailyLimits(deps.db, request.params.id, request.body.daily);
      deps.keyCache.forget((key) => key.partner_id === request.params.id);
      return result;
    },
  );

  app.patch(
    '/admin/partners/:id/quota',
    {
      ...base,
      schema: {
        hide: true,
        params: ObjectIdParam,
        body: Type.Object(
          {
            mode: ModeSchema,
            monthly_sessions: Type.Union([Type.Integer({ minimum: 1, maximum: 100_000_000 }), Type.Null()]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      await getPartner(deps.db, request.params.id);
      const scope = { partnerId: request.params.id, mode: request.body.mode };
      const state = await changeQuota(deps.db, scope, request.body.monthly_sessions);
      deps.keyCache.forget((key) => key.partner_id === request.params.id);
      return { mode: request.body.mode, ...state };
    },
  );
}
