import { FLOWS, type Flow } from '@0bit/core/flow';
import { MODES, type Mode } from '@0bit/core/scope';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { NETWORKS, TOKENS } from './catalog.ts';
import { EVENT_TYPES } from './events.ts';

/**
 * The one source of every object 0Gate publishes or accepts: a TypeBox schema per shape. The route schemas
 * in http/ use them (validation, serialisation, the OpenAPI document and from it the SDK types), and the
 * domain's TypeScript types are `Static<>` of the same schemas, declared next to each one below. A field
 * added here reaches the validator, the serializer, the OpenAPI document and the compiler at once.
 */

/** `T | null` as a JSON-Schema type list (not anyOf), so validation errors stay one per field. */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, enum: values, ...rest } = schema as unknown as { type: string; enum?: unknown[] };
  return Type.Unsafe<T['static'] | null>({
    ...rest,
    type: [type, 'null'],
    ...(values ? { enum: [...values, null] } : {}),
  });
}

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

/**
 * What the session's payment is — or was — in fact (issue #15): the widget intent that paid it (else the one
 * open, else the last that failed), never the create-time pre-fill. On retrieve, list and every
 * gate_session.* webhook; null until the widget has created an intent.
 */
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
export type TransactionDetails = Static<typeof TransactionDetails>;
export type TransactionFee = TransactionDetails['fees'][number];

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
    // Issue #15's additions (the glossary's fields above are unchanged).
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
/** A session as the glossary lists its fields, plus issue #15's additions. */
export type GateSession = Static<typeof GateSession>;

export const CreatedGateSession = Type.Object(
  {
    ...GateSession.properties,
    client_secret: Type.String({
      description: 'gsec_<sessionId>_<32 chars>. Returned only in this response; send it to the browser.',
    }),
  },
  { $id: 'CreatedGateSession', title: 'CreatedGateSession' },
);
export type CreatedGateSession = Static<typeof CreatedGateSession>;

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
/** What a partner may send to create a session (the route validates it before the domain sees it). */
export type CreateSessionInput = Static<typeof CreateSessionBody>;

export const Event = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Stable across retries; your dedupe key.' }),
    type: Type.String({ examples: [...EVENT_TYPES] }),
    created_at: Type.Integer({ description: 'Unix epoch seconds' }),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'Event', title: 'Event' },
);
/** The webhook envelope: `id` (stable, the dedupe key), `type`, `created_at` (unix seconds), `data`. */
export type EventEnvelope = Static<typeof Event>;

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
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

export const WebhookSecret = Type.Object(
  {
    object: Type.Literal('webhook_secret'),
    secret: Type.String({ description: 'The new whsec_ secret, shown only here' }),
    display_prefix: Type.String(),
    previous_expires_at: NullableDateTime,
  },
  { $id: 'WebhookSecret', title: 'WebhookSecret' },
);
export type WebhookSecret = Static<typeof WebhookSecret>;

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
export type WebhookDelivery = Static<typeof WebhookDelivery>;

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
export type WebhookDeliveryWithAttempts = Static<typeof WebhookDeliveryWithAttempts>;
export type WebhookAttempt = WebhookDeliveryWithAttempts['attempts'][number];

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
/** Co-branding tokens; all null means default 0Gate branding. */
export type Branding = Static<typeof Branding>;

/** PATCH /v1/branding: only the fields sent change; null resets one to the default. */
export const BrandingPatch = Type.Object(
  {
    logo_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    primary_color: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
    secondary_color: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
    accent_color: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
    brand_name: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  },
  { additionalProperties: false },
);
export type BrandingPatch = Static<typeof BrandingPatch>;

/** PUT /portal/webhook-endpoint: where this mode's events go. */
export const WebhookEndpointBody = Type.Object(
  { url: Type.String({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);

/** POST /portal/webhook-secret/rotate. */
export const RotateSecretBody = Type.Object(
  {
    expire_previous_in: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 24 * 3600,
        description: 'Seconds the previous secret keeps signing; 0 = now.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** An API key as the portal lists it: never the key itself (only `display_prefix`). */
export const ApiKey = Type.Object(
  {
    id: Type.String(),
    type: Type.Unsafe<'publishable' | 'secret'>({ type: 'string', enum: ['publishable', 'secret'] }),
    mode: ModeSchema,
    display_prefix: Type.String({ description: 'Kind, mode and four characters, e.g. sk_live_AbCd' }),
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description:
        'When the key stops (or stopped) working; in the future while a rolled key is in its grace period',
    }),
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);
export type ApiKeySummary = Static<typeof ApiKey>;

/** A key just created: the only answer that carries the key itself. */
export const CreatedApiKey = Type.Object(
  { ...ApiKey.properties, key: Type.String({ description: 'pk_… or sk_…, shown only here' }) },
  { $id: 'CreatedApiKey', title: 'CreatedApiKey' },
);
export type CreatedApiKey = Static<typeof CreatedApiKey>;

const count = Type.Integer({ minimum: 0 });

/** This month's quota and where the partner stands in it. */
export const QuotaState = Type.Object({
  monthly_sessions: Type.Union([Type.Integer(), Type.Null()]),
  period: Type.String({ description: 'UTC month, YYYY-MM' }),
  sessions_created: count,
  remaining: Type.Union([Type.Integer(), Type.Null()]),
  state: Type.Unsafe<'unlimited' | 'ok' | 'warning' | 'exhausted'>({
    type: 'string',
    enum: ['unlimited', 'ok', 'warning', 'exhausted'],
  }),
});
export type QuotaState = Static<typeof QuotaState>;

/** GET /portal/usage: per-day session counts, completed volume per currency, the quota. */
export const Usage = Type.Object(
  {
    object: Type.Literal('usage'),
    mode: ModeSchema,
    from: Type.String(),
    to: Type.String(),
    days: Type.Array(
      Type.Object({
        date: Type.String(),
        created: count,
        completed: count,
        cancelled: count,
        expired: count,
      }),
    ),
    volume: Type.Array(Type.Object({ currency: Type.String(), amount: Type.String(), sessions: count })),
    quota: QuotaState,
  },
  { $id: 'Usage', title: 'Usage' },
);
export type Usage = Static<typeof Usage>;

// The hosted widget's API (/v1/embed/*): bootstrap, quote, KYC, intents. The widget imports these types.

/** POST /v1/embed/bootstrap: the session's one-time client secret (absent: a session-less widget). */
export const BootstrapBody = Type.Object(
  { clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  { additionalProperties: false },
);

/** What the widget needs to render: the token, the session's bound terms, branding and availability. */
export const BootstrapSchema = Type.Object(
  {
    token: Type.String({ description: 'HS256 JWT; send as X-Embed-Token from the widget' }),
    expires_at: Type.String({ format: 'date-time' }),
    partner_id: Type.String(),
    mode: ModeSchema,
    session_id: Nullable(Type.String()),
    amount: Nullable(Type.String()),
    currency: Nullable(Type.String()),
    target_token: Nullable(Type.String()),
    target_network: Nullable(Type.String()),
    return_url: Nullable(Type.String()),
    cancel_url: Nullable(Type.String()),
    flow: Nullable(FlowEnum),
    wallet_address: Nullable(Type.String()),
    lock_wallet_address: Type.Boolean({ description: 'Show wallet_address read-only' }),
    kyc_pre_verified: Type.Boolean(),
    branding: Type.Ref(Branding),
    available: Type.Boolean(),
    unavailable_reason: Nullable(Type.String()),
  },
  { $id: 'EmbedBootstrap', title: 'EmbedBootstrap' },
);
export type BootstrapResponse = Static<typeof BootstrapSchema>;

const Token = Type.String({
  minLength: 1,
  maxLength: 10,
  pattern: '^[A-Z0-9]+$',
  'x-hint': 'must be a token symbol such as "USDT"',
});
const Network = Type.String({
  minLength: 1,
  maxLength: 20,
  pattern: '^[a-z0-9]+$',
  'x-hint': 'must be a network such as "arbitrum"',
});
const Selection = {
  flow: Type.Optional(FlowEnum),
  token: Type.Optional(Token),
  network: Type.Optional(Network),
  from_token: Type.Optional(Token),
  from_network: Type.Optional(Network),
};
const Crypto = Type.Object({ token: Type.String(), network: Type.String(), amount: Type.String() });

export const WidgetQuote = Type.Object(
  {
    object: Type.Literal('widget_quote'),
    flow: FlowEnum,
    amount: Type.String(),
    currency: Type.String(),
    crypto: Crypto,
    fees: Type.Object({ processing: Type.String(), network: Type.String() }),
    rate: Type.String({ description: 'Fiat per one token, before fees' }),
    source: Nullable(
      Type.Object({
        token: Type.String(),
        network: Type.String(),
        amount: Type.String(),
        rate: Type.String(),
      }),
    ),
    kyc_required: Type.Boolean(),
  },
  { $id: 'WidgetQuote', title: 'WidgetQuote' },
);
export type WidgetQuote = Static<typeof WidgetQuote>;

export const WidgetIntent = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('widget_intent'),
    flow: FlowEnum,
    status: Type.Union(
      (['requires_payment', 'requires_action', 'processing', 'succeeded', 'failed'] as const).map((s) =>
        Type.Literal(s),
      ),
    ),
    amount: Type.String(),
    currency: Type.String(),
    crypto: Crypto,
    source: Nullable(
      Type.Object({
        token: Type.String(),
        network: Nullable(Type.String()),
        amount: Nullable(Type.String()),
      }),
    ),
    destination: Type.String({ description: 'The wallet (buy, swap) or the masked IBAN (sell)' }),
    deposit_address: Nullable(Type.String()),
    next_action: Nullable(Type.Object({ type: Type.Literal('three_ds_challenge') })),
    failure_reason: Nullable(Type.String()),
    tx_refid: Nullable(Type.String()),
    return_url: Type.String({
      description: 'Once succeeded: with gate_session_id, gate_status and their signature appended',
    }),
    expires_at: Type.String({
      format: 'date-time',
      description: 'The intent and its deposit address are valid until the session expires',
    }),
  },
  { $id: 'WidgetIntent', title: 'WidgetIntent' },
);
export type WidgetIntent = Static<typeof WidgetIntent>;

/** GET /v1/embed/intents/current: the session's open intent for a widget that reloads, or null. */
export const WidgetResume = Type.Object(
  {
    object: Type.Literal('widget_resume'),
    intent: Nullable(Type.Object(WidgetIntent.properties)),
  },
  { $id: 'WidgetResume', title: 'WidgetResume' },
);
export type WidgetResume = Static<typeof WidgetResume>;

/** POST /v1/embed/cancel: the session cancelled, and where to send the customer (signed), if anywhere. */
export const WidgetCancel = Type.Object(
  {
    object: Type.Literal('widget_cancel'),
    session_id: Type.String(),
    status: Type.String(),
    cancel_url: Nullable(
      Type.String({ description: 'cancel_url with gate_session_id, gate_status and their signature' }),
    ),
  },
  { $id: 'WidgetCancel', title: 'WidgetCancel' },
);
export type WidgetCancel = Static<typeof WidgetCancel>;

/** The widget's price request: what it selects (flow, target, swap source). */
export const WidgetQuoteBody = Type.Object(Selection, { additionalProperties: false });
export type QuoteInput = Static<typeof WidgetQuoteBody>;

export const WidgetKycBody = Type.Object(
  {
    first_name: Type.String({ minLength: 1, maxLength: 100 }),
    last_name: Type.String({ minLength: 1, maxLength: 100 }),
    date_of_birth: Type.String({ format: 'date' }),
    country: Type.String({
      pattern: '^[A-Z]{2}$',
      'x-hint': 'must be an ISO 3166 alpha-2 code such as "DE"',
    }),
  },
  { additionalProperties: false },
);
export type KycInput = Static<typeof WidgetKycBody>;

/** The simulated (test) or vendor (live) verification outcome. */
export const WidgetKyc = Type.Object(
  {
    object: Type.Literal('widget_kyc'),
    status: Type.Union([Type.Literal('verified'), Type.Literal('rejected'), Type.Literal('review')]),
    reason: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type WidgetKyc = Static<typeof WidgetKyc>;

/** A payment attempt for exactly the session's amount: the selection, plus where the money goes. */
export const WidgetIntentBody = Type.Object(
  {
    ...Selection,
    amount: Type.String({ minLength: 1, maxLength: 32 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    wallet_address: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    iban: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type IntentInput = Static<typeof WidgetIntentBody>;

export const WidgetConfirmBody = Type.Object(
  {
    card: Type.Optional(
      Type.Object(
        {
          number: Type.String({ minLength: 12, maxLength: 23 }),
          exp_month: Type.Integer({ minimum: 1, maximum: 12 }),
          exp_year: Type.Integer({ minimum: 2000, maximum: 2100 }),
          cvc: Type.String({ minLength: 3, maxLength: 4 }),
        },
        { additionalProperties: false },
      ),
    ),
    three_ds_code: Type.Optional(Type.String({ minLength: 1, maxLength: 12 })),
    simulate_deposit: Type.Optional(
      Type.Boolean({
        description:
          'Test mode only (sell, swap): the sandbox records the quoted deposit as arrived before the confirm checks for it',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ConfirmInput = Static<typeof WidgetConfirmBody>;
