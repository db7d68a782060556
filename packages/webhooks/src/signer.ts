import { createHmac } from 'node:crypto';

/**
 * How a delivery is signed. The engine is generic: 0Gate signs with `Gate-Signature`, the 0trace partner
 * API with `X-Partner-Webhook-Sign`; each delivery's `source` picks one. `secrets` are every secret valid
 * right now (more than one during a rotation's overlap window), newest first.
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

/**
 * 0trace (quickstart, step 4): `X-Partner-Webhook-Sign` = hex HMAC-SHA256(webhookSecret, raw body) and
 * `X-Partner-Webhook-Timestamp` in unix seconds, which receivers check against a 5 min / 1 min window. The
 * timestamp is not inside the HMAC (the quickstart's recipe), so receivers dedupe on `X-Partner-Webhook-Id`
 * (also the body's `id`). During a secret rotation's overlap the older secrets sign too, in
 * `X-Partner-Webhook-Sign-Previous` (comma-separated), so a receiver still on the old secret keeps verifying.
 */
export const exchangeSigner: Signer = ({ payload, secrets, eventId, eventType, nowSeconds }) => {
  const [current, ...previous] = secrets.map((s) => hmacHex(s, payload));
  return {
    'content-type': 'application/json',
    'user-agent': '0bit-webhooks/1.0',
    'x-partner-webhook-sign': current ?? '',
    ...(previous.length > 0 ? { 'x-partner-webhook-sign-previous': previous.join(',') } : {}),
    'x-partner-webhook-timestamp': String(nowSeconds),
    'x-partner-webhook-id': eventId,
    'x-partner-webhook-event': eventType,
  };
};

/** Every product's signer, by the delivery's `source`. */
export const SIGNERS = { gate: gateSigner, exchange: exchangeSigner } as const;
