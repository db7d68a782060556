import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by `migrations/`. Timestamps are timestamptz, read as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** Has a database default (now()), so inserts may omit it. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface PartnersTable {
  id: string;
  name: string;
  kyc_trusted: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export interface ApiKeysTable {
  id: string;
  partner_id: string;
  kind: 'publishable' | 'secret';
  mode: 'test' | 'live';
  key_hash: string;
  display_prefix: string;
  created_at: DefaultTimestamp;
  last_used_at: NullableTimestamp;
  /** When the key stops working; in the future while a rolled key is still in its grace period. */
  revoked_at: NullableTimestamp;
}

export interface GateSessionsTable {
  id: string;
  partner_id: string;
  mode: 'test' | 'live';
  status: 'open' | 'completed' | 'expired' | 'cancelled';
  flow: 'on_ramp' | 'off_ramp' | 'swap' | null;
  amount: string;
  currency: string;
  target_token: string | null;
  target_network: string | null;
  return_url: string;
  cancel_url: string | null;
  wallet_address: string | null;
  user_reference: string | null;
  kyc_pre_verified: boolean;
  /** Sealed by SecretBox; never returned by any API. */
  kyc_package_sealed: string | null;
  metadata: Json<Record<string, string>>;
  client_secret_hash: string;
  tx_refid: string | null;
  expires_at: Timestamp;
  created_at: DefaultTimestamp;
  closed_at: NullableTimestamp;
  /** When the widget's (simulated) KYC verified the user of this session. */
  kyc_verified_at: NullableTimestamp;
}

export interface SessionIntentsTable {
  id: string;
  session_id: string;
  status: 'failed' | 'succeeded';
  failure_reason: string | null;
  created_at: DefaultTimestamp;
}

export interface EventsTable {
  id: string;
  seq: Generated<string>;
  partner_id: string;
  mode: 'test' | 'live';
  type: string;
  session_id: string | null;
  data: Json<Record<string, unknown>>;
  created_at: DefaultTimestamp;
}

export interface IdempotencyKeysTable {
  partner_id: string;
  mode: 'test' | 'live';
  key: string;
  fingerprint: string;
  response_status: number | null;
  /** Sealed: a replayed create carries the session's client_secret. */
  response_body_sealed: string | null;
  created_at: DefaultTimestamp;
}

export interface PlatformSettingsTable {
  key: string;
  value: Json<unknown>;
}

export interface WebhookEndpointsTable {
  partner_id: string;
  mode: 'test' | 'live';
  source: ColumnType<WebhookSource, WebhookSource | undefined, WebhookSource>;
  url: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface WebhookSecretsTable {
  id: string;
  partner_id: string;
  mode: 'test' | 'live';
  /** Sealed by SecretBox: the secret must be used to sign, so it cannot be only hashed. */
  secret_sealed: string;
  display_prefix: string;
  source: ColumnType<WebhookSource, WebhookSource | undefined, WebhookSource>;
  created_at: DefaultTimestamp;
  expires_at: NullableTimestamp;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
/** Which product a webhook belongs to: 0Gate (Gate-Signature) or the 0trace partner API (X-Partner-Webhook-Sign). */
export type WebhookSource = 'gate' | 'exchange';

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  event_type: string;
  partner_id: string;
  mode: 'test' | 'live';
  /** The 0Gate session, or the 0trace order, the event is about. */
  session_id: string | null;
  source: ColumnType<WebhookSource, WebhookSource | undefined, WebhookSource>;
  payload: string;
  status: DeliveryStatus;
  attempt_count: ColumnType<number, number | undefined, number>;
  attempt_limit: number | null;
  next_attempt_at: NullableTimestamp;
  locked_until: NullableTimestamp;
  created_at: DefaultTimestamp;
  last_attempt_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempted_at: DefaultTimestamp;
  duration_ms: number;
  url: string;
  status_code: number | null;
  error: string | null;
  response_body: string | null;
  trigger: 'automatic' | 'replay';
}

export interface PartnerBrandingTable {
  partner_id: string;
  mode: 'test' | 'live';
  logo_url: string | null;
  primary_color: string | null;
  secondary_color: string | null;
  accent_color: string | null;
  brand_name: string | null;
  updated_at: DefaultTimestamp;
}

/** The exact origins allowed to embed the widget, per mode (migration 0008): test keys manage test's list. */
export interface PartnerAllowedDomainsTable {
  partner_id: string;
  mode: 'test' | 'live';
  allowed_domains: Json<string[]>;
  updated_at: DefaultTimestamp;
}

export interface PartnerQuotasTable {
  partner_id: string;
  mode: 'test' | 'live';
  monthly_sessions: number;
  updated_at: DefaultTimestamp;
}

export interface PartnerUsageTable {
  partner_id: string;
  mode: 'test' | 'live';
  period: string;
  sessions_created: ColumnType<number, number | undefined, number>;
  warned_at: NullableTimestamp;
  exhausted_at: NullableTimestamp;
}

export type ExchangeStatus = 'NEW' | 'PENDING' | 'EXCHANGE' | 'DONE' | 'EXPIRED' | 'EMERGENCY' | 'REFUNDED';

export interface ExchangeCredentialsTable {
  id: string;
  partner_id: string;
  mode: 'test' | 'live';
  /** SHA-256 of the apiKey: the lookup; the raw key is shown once. */
  api_key_hash: string;
  display_prefix: string;
  /** Sealed by SecretBox: the apiSecret verifies every request's HMAC, so it cannot be only hashed. */
  api_secret_sealed: string;
  created_at: DefaultTimestamp;
  /** Null while current; the end of the overlap window once rotated. */
  expires_at: NullableTimestamp;
}

export interface ExchangeNoncesTable {
  credential_id: string;
  nonce: string;
  seen_at: DefaultTimestamp;
}

export interface ExchangeRefcodesTable {
  partner_id: string;
  /** A code belongs to one mode: sandbox credentials never change (or use) what live prices with. */
  mode: 'test' | 'live';
  code: string;
  markup_bps: number;
  is_default: boolean;
  created_at: DefaultTimestamp;
}

export interface ExchangeQuotesTable {
  id: string;
  partner_id: string;
  mode: 'test' | 'live';
  refcode: string;
  from_ccy: string;
  to_ccy: string;
  direction: 'from' | 'to';
  amount: string;
  from_amount: string;
  to_amount: string;
  rate: string;
  markup_bps: number;
  service_fee_bps: number;
  expires_at: Date;
  created_at: DefaultTimestamp;
  /** The one order this fixed quote backs (a quote is single-use); null while unused. */
  used_by: ColumnType<string | null, string | null | undefined, string | null>;
  used_at: NullableTimestamp;
}

export interface ExchangeOrdersTable {
  id: string;
  partner_id: string;
  mode: 'test' | 'live';
  token_hash: string;
  refcode: string;
  type: 'float' | 'fixed';
  direction: 'from' | 'to';
  from_ccy: string;
  to_ccy: string;
  from_amount: string;
  to_amount: string;
  rate: string;
  markup_bps: number;
  service_fee_bps: number;
  rate_expires_at: NullableTimestamp;
  to_address: string;
  refund_address: string;
  deposit_address: string;
  deposit_deadline: Date;
  status: ExchangeStatus;
  deposit_tx: string | null;
  deposit_amount: string | null;
  deposit_confirmations: number | null;
  payout_tx: string | null;
  payout_amount: string | null;
  refund_tx: string | null;
  refund_amount: string | null;
  emergency_reason: string | null;
  emergency_choice: 'EXCHANGE' | 'REFUND' | null;
  settle_at: NullableTimestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** One payout or refund: claimed (`sending`) before the chain is called, `sent` once its answer is recorded. */
export interface ExchangePayoutsTable {
  /** `payout:<orderId>` / `refund:<orderId>`: the chain's idempotency key. */
  reference: string;
  order_id: string;
  kind: 'payout' | 'refund';
  mode: 'test' | 'live';
  currency: string;
  to_address: string;
  amount: string;
  state: 'sending' | 'sent';
  tx: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  /** When an actor last took responsibility for calling the chain; recovery waits a grace period after it. */
  claimed_at: DefaultTimestamp;
  sent_at: NullableTimestamp;
}

export interface ExchangeIdempotencyTable {
  partner_id: string;
  mode: 'test' | 'live';
  key: string;
  /** The request's fingerprint (see @0bit/db/idempotency); raw-body SHA-256 in rows written before 0013. */
  request_hash: string;
  /** Written by code before 0013 only: a stored answer now carries the order (or is a 4xx with none). */
  order_id: string | null;
  /** Null (since 0013) while the key is being processed, as in idempotency_keys. */
  response_sealed: string | null;
  /** Since 0013 (200 for older rows); 4xx answers are stored too (docs/idempotency.md). */
  response_status: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: DefaultTimestamp;
}

export interface ExchangeEventsTable {
  id: string;
  partner_id: string;
  mode: 'test' | 'live';
  order_id: string;
  type: string;
  data: unknown;
  created_at: DefaultTimestamp;
}

/** Per partner and mode; no row means every setting at its default. */
export interface ExchangeSettingsTable {
  partner_id: string;
  mode: 'test' | 'live';
  require_signature_v2: boolean;
  updated_at: DefaultTimestamp;
}

type AuditJson = ColumnType<Record<string, unknown> | null, string | null, string | null>;

/** Who changed what (both products). `before`/`after` never hold a secret. */
export interface AuditLogTable {
  id: string;
  at: DefaultTimestamp;
  actor_kind: string;
  actor_id: string | null;
  partner_id: string | null;
  mode: 'test' | 'live' | null;
  action: string;
  target: string | null;
  ip: string | null;
  before: AuditJson;
  after: AuditJson;
}

export type IntentStatus = 'requires_payment' | 'requires_action' | 'processing' | 'succeeded' | 'failed';

export interface WidgetIntentsTable {
  id: string;
  session_id: string;
  flow: 'on_ramp' | 'off_ramp' | 'swap';
  status: IntentStatus;
  fiat_amount: string;
  fiat_currency: string;
  token: string;
  network: string;
  crypto_amount: string;
  source_token: string | null;
  source_network: string | null;
  source_amount: string | null;
  /** The user's wallet (buy, swap) or IBAN (sell). */
  destination: string;
  deposit_address: string | null;
  failure_reason: string | null;
  tx_refid: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  /** While `processing`: the money step claimed (the provider may have acted on it; recovery asks). */
  phase: Generated<IntentPhase | null>;
  /** Confirms so far; the card charge's idempotency key is `<id>:charge:<attempt>`. */
  attempt: Generated<number>;
  charge_reference: Generated<string | null>;
  payout_reference: Generated<string | null>;
}

export type IntentPhase = 'charge' | 'payout' | 'send';

export interface Database {
  partners: PartnersTable;
  api_keys: ApiKeysTable;
  gate_sessions: GateSessionsTable;
  session_intents: SessionIntentsTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  platform_settings: PlatformSettingsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  partner_branding: PartnerBrandingTable;
  partner_allowed_domains: PartnerAllowedDomainsTable;
  partner_quotas: PartnerQuotasTable;
  partner_usage: PartnerUsageTable;
  exchange_credentials: ExchangeCredentialsTable;
  exchange_nonces: ExchangeNoncesTable;
  exchange_refcodes: ExchangeRefcodesTable;
  exchange_quotes: ExchangeQuotesTable;
  exchange_orders: ExchangeOrdersTable;
  exchange_payouts: ExchangePayoutsTable;
  exchange_idempotency: ExchangeIdempotencyTable;
  exchange_events: ExchangeEventsTable;
  widget_intents: WidgetIntentsTable;
  exchange_settings: ExchangeSettingsTable;
  audit_log: AuditLogTable;
}
