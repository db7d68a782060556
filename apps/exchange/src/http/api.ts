import type { FastifyInstance } from 'fastify';
import {
  createOrder,
  getOrder,
  type OrderDeps,
  resolveEmergency,
  simulateDeposit,
} from '../domain/orders.ts';
import { price } from '../domain/pricing.ts';
import {
  CreateBody,
  CreatedOrder,
  DepositBody,
  EmergencyBody,
  Order,
  OrderBody,
  PriceBody,
  Quote,
} from '../domain/shapes.ts';
import { traceError } from '../errors.ts';
import { type SignedRouteDeps, signedRoute } from './signed.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface ApiDeps extends SignedRouteDeps {
  orders: OrderDeps;
}

/** The partner API of the quickstart: price, create, order, emergency; plus the sandbox chain simulator. */
export function apiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { orders } = deps;
  const tags = ['Orders'];
  signedRoute(
    app,
    deps,
    {
      path: '/api/v1/price',
      body: PriceBody,
      data: Quote,
      rule: { name: 'price', perMinute: 600 },
      operationId: 'price',
      summary: 'Quote an exchange (a fixed quote is held for /create until its expiresAt)',
      tags,
    },
    ({ scope, body }) => price(orders, scope, body, orders.config.fixedRateTtlSeconds),
  );

  signedRoute(
    app,
    deps,
    {
      path: '/api/v1/create',
      body: CreateBody,
      data: CreatedOrder,
      rule: { name: 'create', perMinute: 120 },
      operationId: 'createOrder',
      summary: 'Create an order and get its deposit address and token',
      description:
        'Send an Idempotency-Key header (1–255 visible ASCII characters) to retry safely: the same key and body return the same order and token; the same key with another body is IDEMPOTENCY_CONFLICT.',
      tags,
    },
    ({ scope, body, rawBody, request }) => {
      const raw = request.headers['idempotency-key'];
      const idempotencyKey = Array.isArray(raw) ? raw[0] : raw;
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
        throw traceError(
          'INVALID_REQUEST',
          'Idempotency-Key must be 1–255 visible ASCII characters, e.g. openssl rand -hex 12',
        );
      return createOrder(orders, scope, body, { rawBody, idempotencyKey });
    },
  );

  signedRoute(
    app,
    deps,
    {
      path: '/api/v1/order',
      body: OrderBody,
      data: Order,
      rule: { name: 'order', perMinute: 600 },
      operationId: 'getOrder',
      summary: 'Read an order by its id and token',
      tags,
    },
    ({ scope, body }) => getOrder(orders, scope, body.id, body.token),
  );

  signedRoute(
    app,
    deps,
    {
      path: '/api/v1/emergency',
      body: EmergencyBody,
      data: Order,
      rule: { name: 'emergency', perMinute: 60 },
      operationId: 'resolveEmergency',
      summary: 'Choose EXCHANGE or REFUND for an order in EMERGENCY (signature v2 only)',
      tags,
    },
    ({ scope, body }) => resolveEmergency(orders, scope, body),
  );

  signedRoute(
    app,
    deps,
    {
      path: '/api/v1/sandbox/deposit',
      body: DepositBody,
      data: Order,
      rule: { name: 'sandbox', perMinute: 300 },
      operationId: 'simulateDeposit',
      summary: 'Sandbox only: simulate a deposit to an order',
      tags: ['Sandbox'],
    },
    ({ scope, body }) => simulateDeposit(orders, scope, body),
  );
}
