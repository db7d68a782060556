import { createHash, createHmac } from 'node:crypto';

/**
 * Signature v2 (docs/exchange/authentication.md#signature-v2). The quickstart's signature covers the body
 * only, so a captured `{}` request could be replayed, with a fresh nonce, onto any other route taking `{}`
 * — credential rotation included. v2 binds the method, the request target, the nonce and a timestamp too:
 *
 *   X-API-SIGN      = "v2=" + hex(HMAC_SHA256(apiSecret, stringToSign))
 *   X-API-TIMESTAMP = unix seconds
 *   stringToSign    = "v2\n" + METHOD + "\n" + path + "\n" + nonce + "\n" + timestamp + "\n" + hex(SHA256(body))
 */
export const V2_PREFIX = 'v2=';
/** A v2 request whose timestamp is further than this from the server clock is refused. */
export const V2_TOLERANCE_SECONDS = 300;
export const V2_DOC = 'docs/exchange/authentication.md#signature-v2';

/**
 * Routes that change credentials, secrets, reference codes, the signing policy or an emergency choice, or
 * re-send a webhook: a body-only signature is never enough there, and only the current pair may call them
 * (signed.ts). Everything else accepts it unless the account opted in to v2. A write whose body has the
 * shape of a read's belongs here: `/webhooks/replay` takes the `{"id"}` of `/webhooks/retrieve`, so a
 * captured read would otherwise re-send a webhook.
 */
export const V2_ROUTES: ReadonlySet<string> = new Set([
  '/api/v1/emergency',
  '/api/v1/cabinet/credentials/rotate',
  '/api/v1/cabinet/webhook-secret/rotate',
  '/api/v1/cabinet/refcodes/create',
  '/api/v1/cabinet/refcodes/update',
  '/api/v1/cabinet/signing',
  '/api/v1/cabinet/webhooks/replay',
]);

export interface V2Parts {
  method: string;
  /** The request target exactly as sent: path, plus `?query` if there is one. */
  path: string;
  nonce: string;
  timestamp: string;
  body: Buffer | string;
}

export function stringToSign(parts: V2Parts): string {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return `v2\n${parts.method.toUpperCase()}\n${parts.path}\n${parts.nonce}\n${parts.timestamp}\n${bodyHash}`;
}

/** The raw HMAC (32 bytes) of a v2 string-to-sign. */
export function signV2(apiSecret: string, parts: V2Parts): Buffer {
  return createHmac('sha256', apiSecret).update(stringToSign(parts)).digest();
}
