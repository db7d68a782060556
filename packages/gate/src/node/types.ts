/** Shapes of the 0Gate API (docs/sessions.md, docs/embed.md). */
export type Mode = 'test' | 'live';
export type Flow = 'on_ramp' | 'off_ramp' | 'swap';
export type SessionStatus = 'open' | 'completed' | 'expired' | 'cancelled';

export interface GateSession {
  id: string;
  object: 'gate_session';
  partner_id: string;
  mode: Mode;
  flow: Flow | null;
  amount: string;
  currency: string;
  target_token: string | null;
  target_network: string | null;
  return_url: string;
  cancel_url: string | null;
  status: SessionStatus;
  expires_at: string;
  created_at: string | null;
  wallet_address: string | null;
  user_reference: string | null;
  kyc_pre_verified: boolean;
  metadata: Record<string, string>;
}

export interface CreatedGateSession extends GateSession {
  /** Send this to the browser; it is returned only once. */
  client_secret: string;
}

export interface CreateSessionParams {
  amount: string;
  currency: string;
  return_url: string;
  cancel_url?: string | null;
  target_token?: string | null;
  target_network?: string | null;
  flow?: Flow | null;
  wallet_address?: string | null;
  user_reference?: string | null;
  metadata?: Record<string, string>;
  expires_at?: string;
  kyc_package?: { provider: string; [field: string]: unknown };
}

export interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
}

export interface ListParams {
  limit?: number;
  starting_after?: string;
}

export interface Branding {
  logo_url: string | null;
  primary_color: string | null;
  secondary_color: string | null;
  accent_color: string | null;
  brand_name: string | null;
}

export interface EmbedBootstrap {
  token: string;
  expires_at: string;
  partner_id: string;
  mode: Mode;
  session_id: string | null;
  amount: string | null;
  currency: string | null;
  target_token: string | null;
  target_network: string | null;
  return_url: string | null;
  cancel_url: string | null;
  flow: Flow | null;
  wallet_address: string | null;
  kyc_pre_verified: boolean;
  branding: Branding;
  available: boolean;
  unavailable_reason: string | null;
}

export interface GateIntent {
  id: string;
  object: 'gate_intent';
  session_id: string;
  status: 'failed';
  failure_reason: string;
  created_at: string;
}

interface Envelope<Type extends string, Data> {
  id: string;
  type: Type;
  created_at: number;
  data: Data;
}

/** Every event the platform sends; an unknown future type still arrives, typed as UnknownEvent. */
export type GateEvent =
  | Envelope<
      'gate_session.created' | 'gate_session.expired' | 'gate_session.cancelled' | 'gate_session.failed',
      GateSession
    >
  | Envelope<'gate_session.completed', GateSession & { tx_refid: string }>
  | Envelope<
      'gate_session.kyc_package_accepted',
      {
        session_id: string;
        partner_id: string;
        mode: Mode;
        provider: string;
        accepted_at: string;
        user_reference: string | null;
      }
    >
  | Envelope<
      'kyc.required',
      { session_id: string; partner_id: string; mode: Mode; user_reference: string | null; reason: string }
    >
  | Envelope<
      'partner.quota.warning' | 'partner.quota.exhausted',
      {
        partner_id: string;
        mode: Mode;
        period: string;
        monthly_sessions: number;
        sessions_created: number;
        threshold: string;
      }
    >;

export type UnknownEvent = Envelope<string, Record<string, unknown>> & { type: string };
