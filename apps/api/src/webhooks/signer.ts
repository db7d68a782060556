import { createHmac } from 'node:crypto';

/**
 * How a delivery is signed. The engine is generic: 0Gate signs with `Gate-Signature`, the 0trace partner
 * API will plug in its own scheme. `secrets` are every secret valid right now (more than one during a
 * rotation's overlap window), newest first.
 */
export type Signer = (input: {
  payload: string;
  secrets: string[];
  eventId: string;
  eventType: string;
  nowSeconds: number;
}) => Record<string, string>;

const hmacHex = (secret: string, message: string) =>
  createHmac('sha256', secret).update(message, 'utf8').digest('hex');

/**
 * `Gate-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each v1 = HMAC-SHA256 keyed with the whole secret string
 * (`whsec_…` as UTF-8) over `<t>.<raw body>` (glossary, "Webhooks and request integrity").
 */
export function gateSignatureHeader(payload: string, secrets: string[], timestamp: number): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, `${timestamp}.${payload}`)}`)].join(',');
}

export const gateSigner: Signer = ({ payload, secrets, eventId, eventType, nowSeconds }) => ({
  'content-type': 'application/json',
  'user-agent': '0bit-webhooks/1.0',
  'gate-signature': gateSignatureHeader(payload, secrets, nowSeconds),
  'x-0bit-timestamp': String(nowSeconds),
  'x-0bit-event-id': eventId,
  'x-0bit-event-type': eventType,
});
