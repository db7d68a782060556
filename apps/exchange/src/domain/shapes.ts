import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * The one source of every object 0trace accepts or publishes: a TypeBox schema per shape. The routes validate
 * and serialize with them (and GET /api/v1/openapi.json publishes them); the domain's types are `Static<>` of
 * the same schemas, declared next to each one.
 */

const Amount = Type.String({
  minLength: 1,
  maxLength: 40,
  'x-hint': 'must be a decimal string such as "0.01"',
});
const Code = Type.String({ minLength: 1, maxLength: 32 });

export const PriceBody = Type.Object(
  {
    type: Type.Union([Type.Literal('float'), Type.Literal('fixed')]),
    fromCcy: Code,
    toCcy: Code,
    direction: Type.Union([Type.Literal('from'), Type.Literal('to')]),
    amount: Amount,
    refcode: Type.Optional(Code),
  },
  { additionalProperties: false },
);
/** What /price is asked: the domain prices exactly the validated body. */
export type PriceParams = Static<typeof PriceBody>;

export const CreateBody = Type.Object(
  {
    ...PriceBody.properties,
    toAddress: Type.String({ minLength: 1, maxLength: 128 }),
    refundAddress: Type.String({ minLength: 1, maxLength: 128 }),
    quoteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
/** What /create is asked; quoteId holds it to a fixed quote from /price (else a live quote with the same terms). */
export type CreateParams = Static<typeof CreateBody>;

const OrderId = Type.String({ minLength: 1, maxLength: 64 });

export const OrderBody = Type.Object(
  { id: OrderId, token: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const EmergencyBody = Type.Object(
  {
    id: OrderId,
    token: Type.String({ minLength: 1, maxLength: 128 }),
    choice: Type.Union([Type.Literal('EXCHANGE'), Type.Literal('REFUND')]),
    /** REFUND only: send the refund here instead of the order's refundAddress. */
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);

export const DepositBody = Type.Object(
  {
    id: OrderId,
    amount: Type.Optional(Amount),
    confirmations: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Unix = Type.Integer({ description: 'Unix seconds' });
const Decimal = Type.String({ description: 'A decimal string such as "0.01"' });

const Tx = Type.Object({ id: Type.String(), amount: Nullable(Decimal) });

/** The order DTO (domain/order-dto.ts; docs/exchange/statuses.md): /create, /order, webhooks, the cabinet. */
export const Order = Type.Object(
  {
    id: Type.String(),
    type: Type.Union([Type.Literal('float'), Type.Literal('fixed')]),
    direction: Type.Union([Type.Literal('from'), Type.Literal('to')]),
    status: Type.String({ description: 'docs/exchange/statuses.md' }),
    refcode: Type.String(),
    createdAt: Unix,
    updatedAt: Unix,
    expiresAt: { ...Unix, description: 'The deposit deadline (unix seconds): no deposit by then → EXPIRED' },
    from: Type.Object({
      code: Type.String(),
      network: Type.String(),
      amount: Decimal,
      address: Type.String({ description: 'Where the user sends the deposit' }),
      reqConfirmations: Type.Integer(),
      tx: Nullable(
        Type.Object({
          id: Type.String(),
          amount: Nullable(Decimal),
          confirmations: Nullable(Type.Integer()),
        }),
      ),
    }),
    to: Type.Object({
      code: Type.String(),
      network: Type.String(),
      amount: Decimal,
      address: Type.String(),
      tx: Nullable(Tx),
    }),
    rate: Type.Object({
      value: Decimal,
      markupBps: Type.Integer(),
      serviceFeeBps: Type.Integer(),
      expiresAt: Nullable(Unix),
    }),
    refund: Type.Object({ address: Type.String(), tx: Nullable(Tx) }),
    emergency: Nullable(
      Type.Object({
        reason: Type.String(),
        choice: Nullable(Type.Union([Type.Literal('EXCHANGE'), Type.Literal('REFUND')])),
        actions: Type.Array(Type.Union([Type.Literal('EXCHANGE'), Type.Literal('REFUND')])),
      }),
    ),
  },
  { $id: 'Order' },
);
export type Order = Static<typeof Order>;

/** /create's answer: the order plus its token, returned here only (and to a replay of the same key). */
export const CreatedOrder = Type.Object(
  {
    ...Order.properties,
    token: Type.String({ description: 'Store it: /order and /emergency need it, and it is not recoverable' }),
  },
  { $id: 'CreatedOrder' },
);
export type CreatedOrder = Static<typeof CreatedOrder>;

/** /price's answer (domain/pricing.ts quoteData). */
export const Quote = Type.Object(
  {
    type: Type.Union([Type.Literal('float'), Type.Literal('fixed')]),
    direction: Type.Union([Type.Literal('from'), Type.Literal('to')]),
    refcode: Type.String(),
    from: Type.Object({
      code: Type.String(),
      network: Type.String(),
      amount: Decimal,
      min: Decimal,
      max: Decimal,
    }),
    to: Type.Object({ code: Type.String(), network: Type.String(), amount: Decimal, networkFee: Decimal }),
    rate: Decimal,
    markupBps: Type.Integer(),
    serviceFeeBps: Type.Integer(),
    quoteId: Nullable(Type.String({ description: 'Fixed quotes only: pass it to /create before expiresAt' })),
    expiresAt: Nullable(Unix),
  },
  { $id: 'Quote' },
);
export type Quote = Static<typeof Quote>;
