import { isUuid } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import {
  type DeliveryRow,
  findDelivery,
  listAttempts,
  listDeliveries,
  notifyWorkers,
  scheduleReplay,
} from '@0bit/webhooks/store';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ENVIRONMENT_OF, rotateApiCredentials, rotateWebhookSecret } from '../domain/credentials.ts';
import { orderDto } from '../domain/order-dto.ts';
import { listOrderPage, type OrderDeps } from '../domain/orders.ts';
import { createCode, listCodes, updateCode } from '../domain/refcodes.ts';
import { signingPolicy } from '../domain/signing.ts';
import { traceError } from '../errors.ts';
import { AnyObject } from './schemas.ts';
import { auditOf, type SignedHandler, type SignedRouteDeps, signedRoute } from './signed.ts';

const Empty = Type.Object({}, { additionalProperties: false });
const OrderList = Type.Object({ orders: Type.Array(Type.Ref('Order')), hasMore: Type.Boolean() });
// Exported for the fuzz test, which rebuilds the cabinet bodies from them until 0trace has an OpenAPI.
export const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100 }));
export const Cursor = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));
export const STATUSES = ['NEW', 'PENDING', 'EXCHANGE', 'DONE', 'EXPIRED', 'EMERGENCY', 'REFUNDED'] as const;
export const RefcodeName = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_-]+$',
  'x-hint': 'must be letters, digits, "_" or "-"',
});

const unix = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

function deliveryDto(row: DeliveryRow) {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    orderId: row.session_id,
    status: row.status,
    attempts: row.attempt_count,
    createdAt: unix(row.created_at),
    lastAttemptAt: unix(row.last_attempt_at),
    nextAttemptAt: row.status === 'pending' ? unix(row.next_attempt_at) : null,
    deliveredAt: unix(row.delivered_at),
  };
}

export interface CabinetDeps extends SignedRouteDeps {
  db: Db;
  box: SecretBox;
  orders: OrderDeps;
  rotationOverlapSeconds: number;
}

/**
 * The self-serve cabinet, signed like the rest of the API: the credentials used decide the environment, so
 * sandbox credentials manage the sandbox and live ones live.
 */
export function cabinetRoutes(app: FastifyInstance, deps: CabinetDeps): void {
  const rule = { name: 'cabinet', perMinute: 120 };
  const route = <S extends TSchema>(
    path: string,
    body: S,
    doc: { operationId: string; summary: string; data?: TSchema },
    handler: SignedHandler<S>,
  ) =>
    signedRoute(
      app,
      deps,
      {
        path: `/api/v1/cabinet${path}`,
        body,
        data: doc.data ?? AnyObject,
        rule,
        operationId: doc.operationId,
        summary: doc.summary,
        tags: ['Cabinet'],
      },
      handler,
    );

  // Routes that change credentials, secrets, reference codes or the signing policy, or replay a webhook, need
  // signature v2 and the current pair (signature-v2.ts lists them, signed.ts checks): a captured body-only
  // signature of `{}` must not rotate anything, and a pair in its overlap window may be the one that leaked.
  route(
    '/credentials/rotate',
    Empty,
    {
      operationId: 'rotateCredentials',
      summary: 'Rotate your apiKey/apiSecret (the old pair keeps working for the overlap window)',
    },
    async ({ scope, credential, request }) => {
      const rotated = await rotateApiCredentials(
        deps.db,
        deps.box,
        scope,
        deps.rotationOverlapSeconds,
        auditOf(credential, request),
        credential.id,
      );
      deps.verifier.forget();
      return { environment: ENVIRONMENT_OF[scope.mode], ...rotated };
    },
  );

  route(
    '/webhook-secret/rotate',
    Empty,
    { operationId: 'rotateWebhookSecret', summary: 'Rotate the secret your webhooks are signed with' },
    async ({ scope, credential, request }) => {
      return {
        environment: ENVIRONMENT_OF[scope.mode],
        ...(await rotateWebhookSecret(
          deps.db,
          deps.box,
          scope,
          deps.rotationOverlapSeconds,
          auditOf(credential, request),
        )),
      };
    },
  );

  route(
    '/signing',
    Type.Object({ requireV2: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    {
      operationId: 'setSigning',
      summary: 'Read or set whether every request of this account must use signature v2',
    },
    async ({ scope, body, credential, request }) => {
      const policy = await signingPolicy(deps.db, scope, body.requireV2, auditOf(credential, request));
      deps.verifier.forget();
      return policy;
    },
  );

  route(
    '/orders',
    Type.Object(
      {
        limit: Limit,
        startingAfter: Cursor,
        status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
      },
      { additionalProperties: false },
    ),
    { operationId: 'listOrders', summary: 'List your orders, newest first', data: OrderList },
    async ({ scope, body }) => {
      const page = await listOrderPage(deps.orders, scope, { ...body, limit: body.limit ?? 20 });
      return { orders: page.orders.map(orderDto), hasMore: page.hasMore };
    },
  );

  route(
    '/refcodes',
    Empty,
    { operationId: 'listRefcodes', summary: 'List your reference codes', data: Type.Array(AnyObject) },
    ({ scope }) => listCodes(deps.db, scope),
  );
  route(
    '/refcodes/create',
    Type.Object(
      { code: RefcodeName, markupBps: Type.Integer(), default: Type.Optional(Type.Boolean()) },
      { additionalProperties: false },
    ),
    { operationId: 'createRefcode', summary: 'Create a reference code with its markup' },
    async ({ scope, body, credential, request }) => {
      const created = await createCode(deps.db, scope, body, auditOf(credential, request));
      deps.orders.refcodes.forget(scope.partnerId);
      return created;
    },
  );
  route(
    '/refcodes/update',
    Type.Object(
      { code: RefcodeName, markupBps: Type.Optional(Type.Integer()), default: Type.Optional(Type.Boolean()) },
      { additionalProperties: false },
    ),
    { operationId: 'updateRefcode', summary: "Change a reference code's markup or make it the default" },
    async ({ scope, body, credential, request }) => {
      const updated = await updateCode(deps.db, scope, body, auditOf(credential, request));
      deps.orders.refcodes.forget(scope.partnerId);
      return updated;
    },
  );

  route(
    '/webhooks',
    Type.Object(
      {
        limit: Limit,
        startingAfter: Cursor,
        status: Type.Optional(
          Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
        ),
        orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      },
      { additionalProperties: false },
    ),
    { operationId: 'listWebhookDeliveries', summary: 'List webhook deliveries, newest first' },
    async ({ scope, body }) => {
      const limit = body.limit ?? 20;
      const after = body.startingAfter ? await delivery(deps.db, scope, body.startingAfter) : undefined;
      const rows = await listDeliveries(
        deps.db,
        scope,
        { status: body.status, sessionId: body.orderId },
        { limit: limit + 1, after },
        'exchange',
      );
      return { deliveries: rows.slice(0, limit).map(deliveryDto), hasMore: rows.length > limit };
    },
  );

  const ById = Type.Object(
    { id: Type.String({ minLength: 1, maxLength: 64 }) },
    { additionalProperties: false },
  );
  route(
    '/webhooks/retrieve',
    ById,
    {
      operationId: 'retrieveWebhookDelivery',
      summary: 'One webhook delivery with its payload and every attempt',
    },
    async ({ scope, body }) => {
      const row = await delivery(deps.db, scope, body.id);
      const attempts = await listAttempts(deps.db, row.id);
      return {
        ...deliveryDto(row),
        payload: row.payload,
        attemptLog: attempts.map((a) => ({
          at: unix(a.attempted_at),
          url: a.url,
          statusCode: a.status_code,
          error: a.error,
          durationMs: a.duration_ms,
          trigger: a.trigger,
        })),
      };
    },
  );

  route(
    '/webhooks/replay',
    ById,
    { operationId: 'replayWebhookDelivery', summary: 'Send a webhook delivery again (signature v2 only)' },
    async ({ scope, body }) => {
      const id = body.id;
      await delivery(deps.db, scope, id);
      const row = await scheduleReplay(deps.db, scope, id, 'exchange');
      await notifyWorkers(deps.db);
      return deliveryDto(row!);
    },
  );
}

async function delivery(db: Db, scope: Scope, id: string): Promise<DeliveryRow> {
  const row = isUuid(id) ? await findDelivery(db, scope, id, 'exchange') : undefined;
  if (!row) throw traceError('NOT_FOUND', `No webhook delivery ${id} for these credentials`);
  return row;
}
