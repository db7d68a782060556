import { BadRequestError, ConflictError, PermissionError } from '@0bit/core/errors';
import type { Mode, Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { findSessionByClientSecretHash, type SessionRow } from '../store/sessions.ts';
import { getBranding } from './branding.ts';
import type { EmbedTokens } from './embed-token.ts';
import { hashSecret } from './keys.ts';
import { servesMode } from './partners.ts';
import { readQuota } from './quotas.ts';
import { retrieveSession } from './sessions.ts';
import type { BootstrapResponse } from './shapes.ts';

export interface BootstrapInput {
  /** The publishable key's id: the token names it, and dies when it is revoked. */
  keyId: string;
  partner: { id: string; allowed_domains: string[]; monthly_sessions: number | null };
  mode: Mode;
  /** The Origin header, or the origin of the Referer when Origin is absent; null when neither exists. */
  origin: string | null;
  clientSecret: string | undefined;
  /** The platform's own hosted widget origin for this mode (redirect mode bootstraps from there). */
  widgetOrigin: string;
}

const CLIENT_SECRET = /^gsec_[0-9a-f]{24}_[A-Za-z0-9]{32}$/;

/**
 * Decides which origin may bootstrap: an exact allowed domain of the key's mode (the partner's list for
 * that mode only), or the hosted widget with a client secret.
 */
function checkOrigin(input: BootstrapInput): void {
  if (input.origin === null)
    throw new PermissionError(
      'Missing Origin (and Referer): bootstrap must be called from a page on one of your allowed_domains',
      'origin_not_allowed',
    );
  if (input.origin === 'null')
    throw new PermissionError(
      'An opaque "null" origin (sandboxed iframe, file://, data: URL) cannot bootstrap; serve the page from an allowed domain',
      'origin_not_allowed',
    );
  if (input.partner.allowed_domains.includes(input.origin)) {
    if (!servesMode(input.origin, input.mode))
      throw new PermissionError(
        `Live mode embeds only on https pages; ${input.origin} is not https`,
        'origin_not_allowed',
      );
    return;
  }
  if (input.origin === input.widgetOrigin) {
    if (!input.clientSecret)
      throw new PermissionError(
        'The hosted widget bootstraps by itself only with a clientSecret (redirect mode)',
        'client_secret_required',
      );
    return;
  }
  // Each mode has its own list; an http page is refused in live whichever list it is on.
  if (URL.canParse(input.origin) && !servesMode(input.origin, input.mode))
    throw new PermissionError(
      `Live mode embeds only on https pages; ${input.origin} is not https`,
      'origin_not_allowed',
    );
  throw new PermissionError(
    `Origin ${input.origin} is not in your allowed_domains. Register the exact origin (scheme, host and port; no wildcards) in Partner Hub.`,
    'origin_not_allowed',
  );
}

async function boundSession(db: Db, scope: Scope, clientSecret: string): Promise<SessionRow> {
  if (!CLIENT_SECRET.test(clientSecret))
    throw new BadRequestError(
      'clientSecret must be the client_secret returned by POST /v1/gate_sessions (gsec_<id>_<32 chars>)',
    );
  const row = await findSessionByClientSecretHash(db, hashSecret(clientSecret));
  // Unknown, another partner's or the other mode's secret: one answer, so none can be told apart.
  if (!row || row.partner_id !== scope.partnerId || row.mode !== scope.mode)
    throw new PermissionError(
      `clientSecret does not belong to a ${scope.mode} session of this publishable key's partner`,
      'session_not_accessible',
    );
  const current = await retrieveSession(db, scope, row.id); // lazy expiry applies
  if (current.status !== 'open')
    throw new ConflictError(
      `Session ${row.id} is ${current.status}; create a new session server-side for a new attempt`,
    );
  return { ...row, status: current.status };
}

export async function bootstrap(
  db: Db,
  tokens: EmbedTokens,
  input: BootstrapInput,
): Promise<BootstrapResponse> {
  checkOrigin(input);
  const scope: Scope = { partnerId: input.partner.id, mode: input.mode };
  const session = input.clientSecret ? await boundSession(db, scope, input.clientSecret) : null;
  // Quota exhaustion is not an error here: the widget shows it, and the SDK calls onUnavailable.
  const quota = input.partner.monthly_sessions === null ? null : await readQuota(db, scope);
  const exhausted = quota?.state === 'exhausted';
  const { token, expiresAt } = await tokens.issue({
    partnerId: scope.partnerId,
    mode: scope.mode,
    origin: input.origin!,
    sessionId: session?.id ?? null,
    keyId: input.keyId,
  });
  return {
    token,
    expires_at: expiresAt,
    partner_id: scope.partnerId,
    mode: scope.mode,
    session_id: session?.id ?? null,
    amount: session?.amount ?? null,
    currency: session?.currency ?? null,
    target_token: session?.target_token ?? null,
    target_network: session?.target_network ?? null,
    return_url: session?.return_url ?? null,
    cancel_url: session?.cancel_url ?? null,
    flow: session?.flow ?? null,
    wallet_address: session?.wallet_address ?? null,
    lock_wallet_address: session?.lock_wallet_address ?? false,
    kyc_pre_verified: session?.kyc_pre_verified ?? false,
    branding: await getBranding(db, scope),
    available: !exhausted,
    unavailable_reason: exhausted ? 'quota_exhausted' : null,
  };
}
