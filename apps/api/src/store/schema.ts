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
  allowed_domains: Json<string[]>;
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
  created_at: DefaultTimestamp;
  expires_at: NullableTimestamp;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  event_type: string;
  partner_id: string;
  mode: 'test' | 'live';
  session_id: string | null;
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
  partner_quotas: PartnerQuotasTable;
  partner_usage: PartnerUsageTable;
}
