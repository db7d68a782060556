/**
 * Generated from the migrated database by `npm run db:types` (packages/db/scripts/row-types.ts); do not
 * edit by hand. packages/db/test/row-types.test.ts fails when this file and the migrations disagree.
 */
import type { ColumnType } from 'kysely';
import type { Flow } from '@0bit/core/flow';
import type { Mode } from '@0bit/core/scope';

/** timestamptz: read as a Date, written as a Date or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** Has a database default, so an insert may omit it (unlike Kysely's own, it also wraps a ColumnType). */
export type Generated<T> =
  T extends ColumnType<infer S, infer I, infer U> ? ColumnType<S, I | undefined, U> : ColumnType<T, T | undefined, T>;
/** json/jsonb: read parsed, written as a JSON string. */
export type Json<T> = ColumnType<T, string, string>;

export interface ApiKeysTable {
  id: string;
  partner_id: string;
  kind: 'publishable' | 'secret';
  mode: Mode;
  key_hash: string;
  display_prefix: string;
  created_at: Generated<Timestamp>;
  last_used_at: Timestamp | null;
  /** When the key stops working; in the future while a rolled key is still in its grace period. */
  revoked_at: Timestamp | null;
}

export interface AuditLogTable {
  id: string;
  at: Generated<Timestamp>;
  actor_kind: string;
  actor_id: string | null;
  partner_id: string | null;
  mode: Mode | null;
  action: string;
  target: string | null;
  ip: string | null;
  /** Never holds a secret (nor does `after`). */
  before: Json<Record<string, unknown>> | null;
  after: Json<Record<string, unknown>> | null;
}

export interface EventsTable {
  id: string;
  seq: Generated<string>;
  partner_id: string;
  mode: Mode;
  type: string;
  session_id: string | null;
  data: Json<Record<string, unknown>>;
  created_at: Generated<Timestamp>;
}

export interface ExchangeCredentialsTable {
  id: string;
  partner_id: string;
  mode: Mode;
  /** SHA-256 of the apiKey: the lookup; the raw key is shown once. */
  api_key_hash: string;
  display_prefix: string;
  /** Sealed by SecretBox: the apiSecret verifies every request's HMAC, so it cannot be only hashed. */
  api_secret_sealed: string;
  created_at: Generated<Timestamp>;
  /** Null while current; the end of the overlap window once rotated. */
  expires_at: Timestamp | null;
}

export interface ExchangeEventsTable {
  id: string;
  partner_id: string;
  mode: Mode;
  order_id: string;
  type: string;
  data: Json<unknown>;
  created_at: Generated<Timestamp>;
}

export interface ExchangeIdempotencyTable {
  partner_id: string;
  mode: Mode;
  key: string;
  request_hash: string;
  order_id: string | null;
  response_sealed: string | null;
  created_at: Generated<Timestamp>;
  response_status: Generated<number | null>;
}

export interface ExchangeNoncesTable {
  credential_id: string;
  nonce: string;
  seen_at: Generated<Timestamp>;
}

export interface ExchangeOrdersTable {
  id: string;
  partner_id: string;
  mode: Mode;
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
  rate_expires_at: Timestamp | null;
  to_address: string;
  refund_address: string;
  deposit_address: string;
  deposit_deadline: Timestamp;
  status: 'NEW' | 'PENDING' | 'EXCHANGE' | 'DONE' | 'EXPIRED' | 'EMERGENCY' | 'REFUNDED';
  deposit_tx: string | null;
  deposit_amount: string | null;
  deposit_confirmations: number | null;
  payout_tx: string | null;
  payout_amount: string | null;
  refund_tx: string | null;
  refund_amount: string | null;
  emergency_reason: string | null;
  emergency_choice: 'EXCHANGE' | 'REFUND' | null;
  settle_at: Timestamp | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ExchangePayoutsTable {
  /** `payout:<orderId>` / `refund:<orderId>`: the chain's idempotency key. */
  reference: string;
  order_id: string;
  kind: 'payout' | 'refund';
  mode: Mode;
  currency: string;
  to_address: string;
  amount: string;
  state: 'sending' | 'sent';
  tx: string | null;
  attempts: Generated<number>;
  /** When an actor last took responsibility for calling the chain; recovery waits a grace period after it. */
  claimed_at: Generated<Timestamp>;
  sent_at: Timestamp | null;
}

export interface ExchangeQuotesTable {
  id: string;
  partner_id: string;
  mode: Mode;
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
  expires_at: Timestamp;
  created_at: Generated<Timestamp>;
  /** The one order this fixed quote backs (a quote is single-use); null while unused. */
  used_by: string | null;
  used_at: Timestamp | null;
}

export interface ExchangeRefcodesTable {
  partner_id: string;
  code: string;
  markup_bps: number;
  is_default: Generated<boolean>;
  created_at: Generated<Timestamp>;
  /** A code belongs to one mode: sandbox credentials never change (or use) what live prices with. */
  mode: Mode;
}

export interface ExchangeSettingsTable {
  partner_id: string;
  mode: Mode;
  require_signature_v2: Generated<boolean>;
  updated_at: Generated<Timestamp>;
}

export interface GateSessionsTable {
  id: string;
  partner_id: string;
  mode: Mode;
  status: 'open' | 'completed' | 'expired' | 'cancelled';
  flow: Flow | null;
  amount: string;
  currency: string;
  target_token: string | null;
  target_network: string | null;
  return_url: string;
  cancel_url: string | null;
  wallet_address: string | null;
  user_reference: string | null;
  kyc_pre_verified: Generated<boolean>;
  /** Sealed by SecretBox; never returned by any API. */
  kyc_package_sealed: string | null;
  metadata: Generated<Json<Record<string, string>>>;
  client_secret_hash: string;
  tx_refid: string | null;
  expires_at: Timestamp;
  created_at: Generated<Timestamp>;
  closed_at: Timestamp | null;
  /** When the widget's (simulated) KYC verified the user of this session. */
  kyc_verified_at: Timestamp | null;
  kyc_required_notified_at: Timestamp | null;
  lock_wallet_address: Generated<boolean>;
  destination_tokens: Json<string[]> | null;
  destination_networks: Json<string[]> | null;
}

export interface HubInvitationsTable {
  token_hash: string;
  user_id: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  created_at: Generated<Timestamp>;
}

export interface HubOutboxTable {
  id: string;
  partner_id: string | null;
  recipient: string;
  subject: string;
  body: string;
  sent: boolean;
  created_at: Generated<Timestamp>;
}

export interface HubSessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface HubUsersTable {
  id: string;
  partner_id: string;
  email: string;
  role: 'owner' | 'developer' | 'viewer';
  password_hash: string | null;
  created_at: Generated<Timestamp>;
  removed_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  partner_id: string;
  mode: Mode;
  key: string;
  fingerprint: string;
  response_status: number | null;
  /** Sealed: a replayed create carries the session's client_secret. */
  response_body_sealed: string | null;
  created_at: Generated<Timestamp>;
}

export interface PartnerAllowedDomainsTable {
  partner_id: string;
  mode: Mode;
  allowed_domains: Generated<Json<string[]>>;
  updated_at: Generated<Timestamp>;
}

export interface PartnerBrandingTable {
  partner_id: string;
  mode: Mode;
  logo_url: string | null;
  primary_color: string | null;
  secondary_color: string | null;
  accent_color: string | null;
  brand_name: string | null;
  updated_at: Generated<Timestamp>;
}

export interface PartnerQuotasTable {
  partner_id: string;
  mode: Mode;
  monthly_sessions: number;
  updated_at: Generated<Timestamp>;
}

export interface PartnerUsageTable {
  partner_id: string;
  mode: Mode;
  period: string;
  sessions_created: Generated<number>;
  warned_at: Timestamp | null;
  exhausted_at: Timestamp | null;
}

export interface PartnersTable {
  id: string;
  name: string;
  kyc_trusted: Generated<boolean>;
  created_at: Generated<Timestamp>;
  customer_daily_limits: Json<Record<string, string>> | null;
}

export interface PlatformSettingsTable {
  key: string;
  value: Json<unknown>;
}

export interface SessionIntentsTable {
  id: string;
  session_id: string;
  status: 'failed' | 'succeeded';
  failure_reason: string | null;
  created_at: Generated<Timestamp>;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempted_at: Generated<Timestamp>;
  duration_ms: number;
  url: string;
  status_code: number | null;
  error: string | null;
  response_body: string | null;
  trigger: 'automatic' | 'replay';
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  event_type: string;
  partner_id: string;
  mode: Mode;
  /** The 0Gate session, or the 0trace order, the event is about. */
  session_id: string | null;
  payload: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempt_count: Generated<number>;
  attempt_limit: number | null;
  next_attempt_at: Timestamp | null;
  locked_until: Timestamp | null;
  created_at: Generated<Timestamp>;
  last_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
  source: Generated<'gate' | 'exchange'>;
  traceparent: Generated<string | null>;
  request_id: Generated<string | null>;
}

export interface WebhookEndpointsTable {
  partner_id: string;
  mode: Mode;
  url: string;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  source: Generated<'gate' | 'exchange'>;
}

export interface WebhookSecretsTable {
  id: string;
  partner_id: string;
  mode: Mode;
  /** Sealed by SecretBox: the secret must be used to sign, so it cannot be only hashed. */
  secret_sealed: string;
  display_prefix: string;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp | null;
  source: Generated<'gate' | 'exchange'>;
}

export interface WidgetIntentsTable {
  id: string;
  session_id: string;
  flow: Flow;
  status: 'requires_payment' | 'requires_action' | 'processing' | 'succeeded' | 'failed';
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
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  /** While `processing`: the money step claimed (the provider may have acted on it; recovery asks). */
  phase: 'charge' | 'payout' | 'send' | null;
  /** Confirms so far; the card charge's idempotency key is `<id>:charge:<attempt>`. */
  attempt: Generated<number>;
  charge_reference: string | null;
  payout_reference: string | null;
  rate: string | null;
  processing_fee: string | null;
  network_fee: string | null;
  source_rate: string | null;
  deposit_txid: string | null;
}

export interface Database {
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  events: EventsTable;
  exchange_credentials: ExchangeCredentialsTable;
  exchange_events: ExchangeEventsTable;
  exchange_idempotency: ExchangeIdempotencyTable;
  exchange_nonces: ExchangeNoncesTable;
  exchange_orders: ExchangeOrdersTable;
  exchange_payouts: ExchangePayoutsTable;
  exchange_quotes: ExchangeQuotesTable;
  exchange_refcodes: ExchangeRefcodesTable;
  exchange_settings: ExchangeSettingsTable;
  gate_sessions: GateSessionsTable;
  hub_invitations: HubInvitationsTable;
  hub_outbox: HubOutboxTable;
  hub_sessions: HubSessionsTable;
  hub_users: HubUsersTable;
  idempotency_keys: IdempotencyKeysTable;
  partner_allowed_domains: PartnerAllowedDomainsTable;
  partner_branding: PartnerBrandingTable;
  partner_quotas: PartnerQuotasTable;
  partner_usage: PartnerUsageTable;
  partners: PartnersTable;
  platform_settings: PlatformSettingsTable;
  session_intents: SessionIntentsTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_secrets: WebhookSecretsTable;
  widget_intents: WidgetIntentsTable;
}
