import { FLOWS, type Flow } from '@0bit/core/flow';
import { MODES, type Mode } from '@0bit/core/scope';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { Branding as DomainBranding } from '../domain/branding.ts';
import { NETWORKS, TOKENS } from '../domain/catalog.ts';
import type { EventEnvelope } from '../domain/events.ts';
import { EVENT_TYPES } from '../domain/events.ts';
import type { GateSession as DomainGateSession } from '../domain/sessions.ts';
import type {
  WebhookDelivery as DomainWebhookDelivery,
  WebhookAttempt,
} from '../domain/webhook-deliveries.ts';
import type { WebhookEndpoint as DomainWebhookEndpoint } from '../domain/webhook-endpoints.ts';

/** `T | null` as a JSON-Schema type list (not anyOf), so validation errors stay one per field. */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, enum: values, ...rest } = schema as unknown as { type: string; enum?: unknown[] };
  return Type.Unsafe<T['static'] | null>({
    ...rest,
    type: [type, 'null'],
    ...(values ? { enum: [...values, null] } : {}),
  });
}

export const ErrorEnvelope = Type.Object(
  {
    statusCode: Type.Integer({ examples: [422] }),
    message: Type.Union([Type.String(), Type.Array(Type.String())], {
      description: 'A sentence saying what to fix; an array with one entry per field on validation errors.',
    }),
    error: Type.String({
      description: 'Short class name you can branch on, e.g. "Forbidden".',
      examples: ['Unprocessable Entity'],
    }),
    code: Type.Optional(
      Type.String({
        description:
          'A stable name to branch on: on every 403 (docs/errors.md, e.g. quota_exhausted, kyc_package_not_trusted) and some 422s.',
      }),
    ),
  },
  { $id: 'ErrorEnvelope', title: 'Error' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorEnvelope)]));

export const ObjectIdParam = Type.Object({
  id: Type.String({ description: 'A 24-hex session id, e.g. 67a1f3b9e4b0c10001234567' }),
});

export const ModeSchema = Type.Unsafe<Mode>({ type: 'string', enum: [...MODES] });
export const FlowEnum = Type.Unsafe<Flow>({ type: 'string', enum: [...FLOWS] });

export const Metadata = Type.Record(Type.String(), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
  propertyNames: { minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.\\-]+$' },
  'x-hint': 'must be 1–40 characters of letters, digits, "_", "-" or "."',
  description:
    'Opaque partner notes returned verbatim: at most 50 keys (1–40 of [A-Za-z0-9_.-]), string values up to 500 characters.',
});

const NullableString = Nullable(Type.String());

export const TransactionDetails = Type.Object(
  {
    intent_id: Type.String({ description: 'The widget payment attempt these details describe' }),
    status: Type.Unsafe<'requires_payment' | 'requires_action' | 'processing' | 'succeeded' | 'failed'>({
      type: 'string',
      enum: ['requires_payment', 'requires_action', 'processing', 'succeeded', 'failed'],
    }),
    flow: FlowEnum,
    source_currency: Type.String({
      description: 'What the customer pays (buy: fiat) or sends (sell, swap: token)',
    }),
    source_network: NullableString,
    source_amount: NullableString,
    destination_currency: Type.String({
      description: 'What the customer receives (buy, swap: token; sell: fiat)',
    }),
    destination_network: NullableString,
    destination_amount: Type.String(),
    exchange_rate: Nullable(
      Type.String({
        description: 'Fiat per token (buy, sell) or destination per source token (swap), before fees',
      }),
    ),
    fees: Type.Array(
      Type.Object({
        type: Type.Unsafe<'processing' | 'network'>({ type: 'string', enum: ['processing', 'network'] }),
        amount: Type.String(),
        currency: Type.String(),
      }),
    ),
    wallet_address: Nullable(
      Type.String({ description: 'The wallet paid out to (buy, swap), as confirmed' }),
    ),
    iban: Nullable(Type.String({ description: 'The bank account paid out to (sell), masked' })),
    payment_method: Type.Unsafe<'card' | 'crypto_deposit'>({
      type: 'string',
      enum: ['card', 'crypto_deposit'],
    }),
    deposit_address: NullableString,
    deposit_transaction_id: NullableString,
    transaction_id: Nullable(Type.String({ description: 'The settlement transaction (tx_refid) once paid' })),
    explorer_url: Nullable(Type.String({ description: 'Live mode: the transaction on a block explorer' })),
    last_error: Nullable(Type.String({ description: 'Why the attempt failed, e.g. card_declined' })),
  },
  { $id: 'TransactionDetails', title: 'TransactionDetails' },
);

export const GateSession = Type.Object(
  {
    id: Type.String({ description: 'ObjectId hex', examples: ['67a1f3b9e4b0c10001234567'] }),
    object: Type.Literal('gate_session'),
    partner_id: Type.String(),
    mode: ModeSchema,
    flow: Nullable(FlowEnum),
    amount: Type.String({ examples: ['100.00'] }),
    currency: Type.String({ examples: ['EUR'] }),
    target_token: Nullable(Type.String()),
    target_network: Nullable(Type.String()),
    return_url: Type.String({ format: 'uri' }),
    cancel_url: Nullable(Type.String({ format: 'uri' })),
    status: Type.Unsafe<'open' | 'completed' | 'expired' | 'cancelled'>({
      type: 'string',
      enum: ['open', 'completed', 'expired', 'cancelled'],
    }),
    expires_at: Type.String({ format: 'date-time' }),
    created_at: Nullable(Type.String({ format: 'date-time' })),
    wallet_address: Nullable(Type.String()),
    user_reference: Nullable(Type.String()),
    kyc_pre_verified: Type.Boolean(),
    metadata: Type.Record(Type.String(), Type.String()),
    lock_wallet_address: Type.Boolean({
      description: 'The widget shows wallet_address read-only and the API pays only to it',
    }),
    destination_tokens: Nullable(Type.Array(Type.String())),
    destination_networks: Nullable(Type.Array(Type.String())),
    // Inline (a nullable object, not anyOf with a $ref, which the response serializer cannot resolve).
    transaction_details: Nullable(
      Type.Object(TransactionDetails.properties, {
        description: 'What the payment is or was in fact; null until the widget has created an intent',
      }),
    ),
  },
  { $id: 'GateSession', title: 'GateSession' },
);

export const CreatedGateSession = Type.Object(
  {
    ...GateSession.properties,
    client_secret: Type.String({
      description: 'gsec_<sessionId>_<32 chars>. Returned only in this response; send it to the browser.',
    }),
  },
  { $id: 'CreatedGateSession', title: 'CreatedGateSession' },
);

export const CreateSessionBody = Type.Object(
  {
    amount: Type.String({
      description: 'Positive decimal string with at most the currency minor-unit digits; returned canonical.',
      examples: ['100.00'],
    }),
    currency: Type.String({
      pattern: '^[A-Z]{3}$',
      'x-hint': 'must be a three-letter upper-case ISO 4217 code such as "EUR"',
    }),
    return_url: Type.String({ format: 'uri', maxLength: 2048 }),
    cancel_url: Type.Optional(Nullable(Type.String({ format: 'uri', maxLength: 2048 }))),
    target_token: Type.Optional(Nullable(Type.String({ enum: TOKENS }))),
    target_network: Type.Optional(Nullable(Type.String({ enum: NETWORKS }))),
    flow: Type.Optional(Nullable(FlowEnum)),
    wallet_address: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    user_reference: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    lock_wallet_address: Type.Optional(
      Type.Boolean({
        description:
          'Default true when wallet_address is given: the customer cannot change it (shown read-only, enforced at confirm)',
      }),
    ),
    destination_tokens: Type.Optional(
      Nullable(
        Type.Array(Type.String({ enum: TOKENS }), {
          minItems: 1,
          maxItems: 20,
          uniqueItems: true,
          description: 'Allow-list of tokens the customer may receive (buy, swap) or sell',
        }),
      ),
    ),
    destination_networks: Type.Optional(
      Nullable(
        Type.Array(Type.String({ enum: NETWORKS }), {
          minItems: 1,
          maxItems: 20,
          uniqueItems: true,
          description: 'Allow-list of networks the customer may pick',
        }),
      ),
    ),
    metadata: Type.Optional(Metadata),
    expires_at: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Default 24 h after creation; test ≥ +1 s, live ≥ +30 min, ≤ +7 days.',
      }),
    ),
    kyc_package: Type.Optional(
      Type.Object(
        { provider: Type.String({ minLength: 1, maxLength: 128 }) },
        {
          additionalProperties: true,
          maxProperties: 100,
          description:
            'Trusted-KYC pass-through (kyc_trusted partners only). Never echoed in any response or webhook.',
        },
      ),
    ),
  },
  { additionalProperties: false, $id: 'CreateSessionBody', title: 'CreateSessionBody' },
);

export const EmptyBody = Type.Object({}, { additionalProperties: false });

/** Page size when a list request names none. */
export const DEFAULT_PAGE_SIZE = 10;

export const ListQuery = Type.Object(
  {
    // Optional for the caller (OpenAPI says so); validation fills in the default before any handler runs.
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE })),
    starting_after: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const listOf = <T extends TSchema>(item: T, id: string) =>
  Type.Object(
    { object: Type.Literal('list'), data: Type.Array(item), has_more: Type.Boolean() },
    { $id: id, title: id },
  );

export const Event = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Stable across retries; your dedupe key.' }),
    type: Type.String({ examples: [...EVENT_TYPES] }),
    created_at: Type.Integer({ description: 'Unix epoch seconds' }),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'Event', title: 'Event' },
);

export const EventsQuery = Type.Object(
  {
    ...ListQuery.properties,
    // Event ids are UUIDs: a malformed cursor is refused here, before the database is asked.
    starting_after: Type.Optional(
      Type.String({ format: 'uuid', description: 'Events older than this event id (the next page)' }),
    ),
    ending_before: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Events newer than this event id (the page after it)',
      }),
    ),
    type: Type.Optional(Type.String({ enum: [...EVENT_TYPES] })),
  },
  { additionalProperties: false },
);

const NullableDateTime = Nullable(Type.String({ format: 'date-time' }));

export const WebhookEndpoint = Type.Object(
  {
    object: Type.Literal('webhook_endpoint'),
    url: Type.String(),
    mode: ModeSchema,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    secrets: Type.Array(
      Type.Object({
        display_prefix: Type.String(),
        created_at: Type.String({ format: 'date-time' }),
        expires_at: NullableDateTime,
      }),
    ),
    secret: Type.Optional(Type.String({ description: 'whsec_…, only in the answer that created it' })),
  },
  { $id: 'WebhookEndpoint', title: 'WebhookEndpoint' },
);

export const WebhookSecret = Type.Object(
  {
    object: Type.Literal('webhook_secret'),
    secret: Type.String({ description: 'The new whsec_ secret, shown only here' }),
    display_prefix: Type.String(),
    previous_expires_at: NullableDateTime,
  },
  { $id: 'WebhookSecret', title: 'WebhookSecret' },
);

const deliveryProperties = {
  id: Type.String({ format: 'uuid' }),
  object: Type.Literal('webhook_delivery'),
  event_id: Type.String({ format: 'uuid' }),
  event_type: Type.String(),
  session_id: Nullable(Type.String()),
  mode: ModeSchema,
  status: Type.Unsafe<'pending' | 'succeeded' | 'failed'>({
    type: 'string',
    enum: ['pending', 'succeeded', 'failed'],
  }),
  attempt_count: Type.Integer(),
  next_attempt_at: NullableDateTime,
  last_attempt_at: NullableDateTime,
  delivered_at: NullableDateTime,
  created_at: Type.String({ format: 'date-time' }),
};

export const WebhookDelivery = Type.Object(deliveryProperties, {
  $id: 'WebhookDelivery',
  title: 'WebhookDelivery',
});

export const WebhookDeliveryWithAttempts = Type.Object(
  {
    ...deliveryProperties,
    attempts: Type.Array(
      Type.Object({
        attempted_at: Type.String({ format: 'date-time' }),
        duration_ms: Type.Integer(),
        url: Type.String(),
        status_code: Nullable(Type.Integer()),
        error: Nullable(Type.String()),
        response_body: Nullable(Type.String()),
        trigger: Type.Unsafe<'automatic' | 'replay'>({ type: 'string', enum: ['automatic', 'replay'] }),
      }),
    ),
  },
  { $id: 'WebhookDeliveryWithAttempts', title: 'WebhookDeliveryWithAttempts' },
);

export const Branding = Type.Object(
  {
    logo_url: Nullable(Type.String({ description: 'Absolute https URL' })),
    primary_color: Nullable(Type.String({ description: '#RRGGBB' })),
    secondary_color: Nullable(Type.String({ description: '#RRGGBB' })),
    accent_color: Nullable(Type.String({ description: '#RRGGBB' })),
    brand_name: Nullable(Type.String({ description: '1–64 characters' })),
  },
  { $id: 'Branding', title: 'Branding' },
);

/**
 * One way between the two: the domain declares the objects it returns (GateSession, EventEnvelope, ...) and
 * these response schemas publish them. The checks below make a domain field that the schema does not allow
 * (or types differently) a compile error here, instead of a response that contradicts the OpenAPI document.
 */
type Fits<Value extends Published, Published> = [Value, Published];
export type DomainMatchesSchemas = [
  Fits<DomainGateSession, Static<typeof GateSession>>,
  Fits<EventEnvelope, Static<typeof Event>>,
  Fits<DomainBranding, Static<typeof Branding>>,
  Fits<DomainWebhookEndpoint, Static<typeof WebhookEndpoint>>,
  Fits<DomainWebhookDelivery, Static<typeof WebhookDelivery>>,
  Fits<DomainWebhookDelivery & { attempts: WebhookAttempt[] }, Static<typeof WebhookDeliveryWithAttempts>>,
];
