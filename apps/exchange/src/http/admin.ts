import type { SecretBox } from '@0bit/core/secret-box';
import { auditAs } from '@0bit/db/audit';
import type { Db } from '@0bit/db/connection';
import { adminGuard } from '@0bit/http/admin-guard';
import type { EgressPolicy } from '@0bit/webhooks/egress';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { issueCredentials, MODE_OF, onboardPartner, setWebhookUrl } from '../domain/credentials.ts';
import { signingPolicy } from '../domain/signing.ts';
import { ok } from './envelope.ts';
import { bodyParser, jsonBodyOf } from './signed.ts';

const Environment = Type.Union([Type.Literal('sandbox'), Type.Literal('live')]);

/**
 * Operator API (ADMIN_TOKEN), as the quickstart says onboarding and webhook URLs are operator-mediated.
 * Credentials appear in these answers only; store them at once.
 */
export function adminRoutes(
  app: FastifyInstance,
  deps: { db: Db; box: SecretBox; adminToken: string; egress: EgressPolicy },
): void {
  // onRequest: the token is checked before the body is even read, so a bad token is AUTH_INVALID whatever the body.
  const guard = { onRequest: adminGuard(deps.adminToken) };

  const onboard = bodyParser(
    Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
  );
  app.post('/admin/exchange/partners', guard, async (request, reply) =>
    reply.code(201).send(ok(await onboardPartner(deps.db, deps.box, onboard(jsonBodyOf(request))))),
  );

  const issue = bodyParser(Type.Object({ environment: Environment }, { additionalProperties: false }));
  app.post<{ Params: { id: string } }>(
    '/admin/exchange/partners/:id/credentials',
    guard,
    async (request, reply) =>
      reply
        .code(201)
        .send(
          ok(
            await issueCredentials(
              deps.db,
              deps.box,
              request.params.id,
              issue(jsonBodyOf(request)).environment,
            ),
          ),
        ),
  );

  const webhook = bodyParser(
    Type.Object(
      { environment: Environment, url: Type.String({ minLength: 1, maxLength: 2048 }) },
      { additionalProperties: false },
    ),
  );
  app.put<{ Params: { id: string } }>('/admin/exchange/partners/:id/webhook', guard, async (request) => {
    const body = webhook(jsonBodyOf(request));
    return ok(await setWebhookUrl(deps.db, request.params.id, body.environment, body.url, deps.egress));
  });

  const signing = bodyParser(
    Type.Object({ environment: Environment, requireV2: Type.Boolean() }, { additionalProperties: false }),
  );
  app.put<{ Params: { id: string } }>('/admin/exchange/partners/:id/signing', guard, async (request) => {
    const body = signing(jsonBodyOf(request));
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
  });
}
