import { createHmac } from 'node:crypto';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import { validSecrets } from '@0bit/webhooks/store';

/**
 * Signed redirects (docs/sessions.md "Return and cancel URLs"): the widget sends the customer to
 * return_url / cancel_url with the session id and status appended and signed with the partner's current
 * webhook secret of the mode, so the shop's return page can trust them without a server call:
 *
 *   gate_session_id=<id>&gate_status=<status>&gate_timestamp=<unix>&gate_signature=<hex>
 *   gate_signature = hex HMAC-SHA256(whsec_…, "<gate_timestamp>.<gate_session_id>.<gate_status>")
 *
 * Without a webhook secret (no endpoint set for the mode) the id and status are appended unsigned.
 */
export const redirectSignature = (secret: string, timestamp: number, sessionId: string, status: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${sessionId}.${status}`, 'utf8').digest('hex');

export async function signedRedirect(
  db: Db,
  box: SecretBox,
  scope: Scope,
  url: string,
  sessionId: string,
  status: string,
): Promise<string> {
  const target = new URL(url);
  target.searchParams.set('gate_session_id', sessionId);
  target.searchParams.set('gate_status', status);
  const [current] = await validSecrets(db, scope);
  if (current) {
    const timestamp = Math.floor(Date.now() / 1000);
    target.searchParams.set('gate_timestamp', String(timestamp));
    target.searchParams.set(
      'gate_signature',
      redirectSignature(box.open(current.secret_sealed), timestamp, sessionId, status),
    );
  }
  return target.toString();
}
