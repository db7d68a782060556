import type { SecretBox } from '@0bit/core/secret-box';
import { auditAs } from '@0bit/db/audit';
import type { Db } from '@0bit/db/connection';
import { adminGuard } from '@0bit/http/admin-guard';
import type { EgressPolicy } from '@0bit/webhooks/egress';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { issueCredentials, MODE_OF, onboardPartner, setWebhookUrl } from '../domain/credentials.ts';
import { signingPolicy } from '../domain/signing.ts';
import { ok } from './envelope.ts';
import { AnyObject, errorResponses, okEnvelope } from './schemas.ts';
import { emptyBodyIsEmptyObject, refuseBadBody } from './signed.ts';

const EnvironmentSchema = Type.Union([Type.Literal('sandbox'), Type.Literal('live')]);
type Environment = Static<typeof EnvironmentSchema>;

/**
 * Operator API (ADMIN_TOKEN), as the quickstart says onboarding and webhook URLs are operator-mediated.
 * Credentials appear in these answers only; store them at once.
 */
export function adminRoutes(
  app: FastifyInstance,
  deps: { db: Db; box: SecretBox; adminToken: string; egress: EgressPolicy },
): void {
  // onRequest: the token is checked before the body is even read, so a bad token is AUTH_INVALID whatever the
  // body; Fastify's validation is attached and answered after it (signed.ts refuseBadBody).
  const route = (body: TSchema, status: 200 | 201) => ({
    onRequest: adminGuard(deps.adminToken),
    schema: {
      // Operator only: served, but not part of the partner contract the OpenAPI document describes.
      hide: true,
      security: [{ adminToken: [] }],
      body,
      response: { ...errorResponses, [status]: okEnvelope(AnyObject) } as Record<number, TSchema>,
    },
    attachValidation: true,
    preValidation: emptyBodyIsEmptyObject,
    preHandler: refuseBadBody,
  });

  app.post(
    '/admin/exchange/partners',
    route(
      Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
      201,
    ),
    async (request, reply) =>
      reply.code(201).send(ok(await onboardPartner(deps.db, deps.box, request.body as { name: string }))),
  );

  app.post<{ Params: { id: string }; Body: { environment: Environment } }>(
    '/admin/exchange/partners/:id/credentials',
    route(Type.Object({ environment: EnvironmentSchema }, { additionalProperties: false }), 201),
    async (request, reply) =>
      reply
        .code(201)
        .send(ok(await issueCredentials(deps.db, deps.box, request.params.id, request.body.environment))),
  );

  app.put<{ Params: { id: string }; Body: { environment: Environment; url: string } }>(
    '/admin/exchange/partners/:id/webhook',
    route(
      Type.Object(
        { environment: EnvironmentSchema, url: Type.String({ minLength: 1, maxLength: 2048 }) },
        { additionalProperties: false },
      ),
      200,
    ),
    async (request) => {
      const body = request.body;
      return ok(await setWebhookUrl(deps.db, request.params.id, body.environment, body.url, deps.egress));
    },
  );

  app.put<{ Params: { id: string }; Body: { environment: Environment; requireV2: boolean } }>(
    '/admin/exchange/partners/:id/signing',
    route(
      Type.Object(
        { environment: EnvironmentSchema, requireV2: Type.Boolean() },
        { additionalProperties: false },
      ),
      200,
    ),
    async (request) => {
      const body = request.body;
      const scope = { partnerId: request.params.id, mode: MODE_OF[body.environment] };
      const audit = auditAs({
        actor: { kind: 'admin', id: null },
        partnerId: scope.partnerId,
        mode: scope.mode,
        ip: request.ip,
      });
      return ok({
        partnerId: scope.partnerId,
        ...(await signingPolicy(deps.db, scope, body.requireV2, audit)),
      });
    },
  );
}
