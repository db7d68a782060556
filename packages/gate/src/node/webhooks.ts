import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureVerificationError } from './errors.ts';
import type { GateEvent, UnknownEvent } from './types.ts';

const fail = (message: string) =>
  new SignatureVerificationError({
    statusCode: null,
    message,
    error: 'SignatureVerification',
    requestId: null,
    raw: null,
  });

export class Webhooks {
  /**
   * Verifies a delivery and returns its event. Pass the raw body exactly as received (string or Buffer),
   * the Gate-Signature header and your whsec_ secret. Any one of several v1= signatures may match (secret
   * rotation); the timestamp must be within `toleranceSeconds` of now.
   */
  constructEvent(
    rawBody: string | Buffer | Uint8Array,
    signatureHeader: string | string[] | undefined,
    secret: string,
    toleranceSeconds = 300,
  ): GateEvent | UnknownEvent {
    if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array))
      throw fail(
        'Pass the raw request body (string or Buffer), not parsed JSON: re-serialised JSON never matches the signature',
      );
    const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
    if (!header) throw fail('Missing Gate-Signature header');
    if (!secret?.startsWith('whsec_')) throw fail('The secret must be your whsec_… webhook signing secret');
    const parts = header.split(',').map((p) => p.trim().split('='));
    const timestamp = Number(parts.find(([k]) => k === 't')?.[1]);
    const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v ?? '', 'hex'));
    if (!Number.isInteger(timestamp) || signatures.length === 0)
      throw fail('Gate-Signature must look like t=<unix>,v1=<hex>');
    const age = Math.floor(Date.now() / 1000) - timestamp;
    if (Math.abs(age) > toleranceSeconds)
      throw fail(
        `Timestamp is ${age} s from now, outside the ${toleranceSeconds} s tolerance (replayed, or a clock is off)`,
      );
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
    if (!signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected)))
      throw fail(
        'No signature matches this secret and body (wrong secret, wrong mode, or the body was changed)',
      );
    return JSON.parse(body.toString('utf8'));
  }

  /**
   * Verifies the session id and status 0Gate appended to your return_url or cancel_url, so the return page
   * can trust them without a server call. Pass the full URL the customer arrived at (or its query string)
   * and your whsec_ secret of the session's mode; throws SignatureVerificationError unless
   * `gate_signature` = hex HMAC-SHA256(secret, "<gate_timestamp>.<gate_session_id>.<gate_status>") and the
   * timestamp is within `toleranceSeconds` (default 600 s). Fulfil orders on the webhook, not on this.
   */
  verifyRedirect(
    url: string | URL | URLSearchParams,
    secret: string,
    toleranceSeconds = 600,
  ): { sessionId: string; status: string; timestamp: number } {
    if (!secret?.startsWith('whsec_')) throw fail('The secret must be your whsec_… webhook signing secret');
    const params =
      url instanceof URLSearchParams
        ? url
        : url instanceof URL
          ? url.searchParams
          : new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : url);
    const sessionId = params.get('gate_session_id');
    const status = params.get('gate_status');
    const timestamp = Number(params.get('gate_timestamp'));
    const signature = Buffer.from(params.get('gate_signature') ?? '', 'hex');
    if (!sessionId || !status || !Number.isInteger(timestamp) || signature.length === 0)
      throw fail('The URL carries no signed gate_session_id, gate_status, gate_timestamp and gate_signature');
    const age = Math.floor(Date.now() / 1000) - timestamp;
    if (Math.abs(age) > toleranceSeconds)
      throw fail(`Timestamp is ${age} s from now, outside the ${toleranceSeconds} s tolerance`);
    const expected = createHmac('sha256', secret).update(`${timestamp}.${sessionId}.${status}`).digest();
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected))
      throw fail('The signature does not match (wrong secret, wrong mode, or the URL was changed)');
    return { sessionId, status, timestamp };
  }
}
