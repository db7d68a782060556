// 0trace webhook receiver: Node 20+, no dependencies (node:http + node:crypto).
//   WEBHOOK_SECRET=… PORT=8080 node receiver.mjs
// The five checks of the quickstart (step 4), plus deduplication by event id.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const SECRET = process.env.WEBHOOK_SECRET;
const PORT = Number(process.env.PORT ?? 8080);
if (!SECRET) {
  console.error('WEBHOOK_SECRET is required (the webhookSecret shown once at onboarding or rotation)');
  process.exit(1);
}

const MAX_BODY = 1024 * 1024; // events are a few KB; refuse anything absurd before buffering it
const MAX_AGE_S = 300; // 5 minutes old
const MAX_AHEAD_S = 60; // 1 minute in the future (clock skew)

// Event ids already processed. The timestamp header is NOT signed: anyone who captured one delivery can
// resend it with a fresh timestamp and pass the 5-minute check. Only this dedupe stops a deliberate replay
// (the id is inside the signed body, so it cannot be changed). The platform's own retries and cabinet
// replays reuse the id too. A scaffold keeps them in memory; use your database instead: a unique index on
// the event id, inserted in the same transaction as your processing, kept for good.
const processed = new Set();

/** Constant-time comparison of two hex strings (the length of a MAC is not a secret). */
function sameHex(expected, given) {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.trim().toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * X-Partner-Webhook-Sign is made with the current secret. During a webhook-secret rotation the previous
 * secret also signs, in X-Partner-Webhook-Sign-Previous (comma-separated), so a receiver still holding the
 * old secret keeps verifying until the overlap ends.
 */
function signedWithOurSecret(raw, headers) {
  const expected = createHmac('sha256', SECRET).update(raw).digest('hex'); // 2. HMAC-SHA256, hex
  const candidates = [
    String(headers['x-partner-webhook-sign'] ?? ''),
    ...String(headers['x-partner-webhook-sign-previous'] ?? '').split(','),
  ];
  let match = false;
  for (const candidate of candidates) if (sameHex(expected, candidate)) match = true; // 3. constant time
  return match;
}

/** 4. Seconds-since-epoch within [now - 5 min, now + 1 min]. */
function fresh(timestampHeader) {
  const text = String(timestampHeader ?? '');
  if (!/^\d{1,12}$/.test(text)) return false;
  const age = Math.floor(Date.now() / 1000) - Number(text);
  return age <= MAX_AGE_S && age >= -MAX_AHEAD_S;
}

/** Your business logic. It runs after the 2xx is sent: keep the answer well inside 10 seconds. */
function handle(event) {
  void event; // e.g. update your order from event.data.status (trust data.updatedAt for ordering)
}

function answer(res, status, reason) {
  if (reason) console.log(`refused ${status} ${reason}`);
  res.writeHead(status, { 'content-type': 'text/plain' }).end(reason ?? 'ok');
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return answer(res, 405, 'POST only');
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
    else if (!res.headersSent) {
      res.setHeader('connection', 'close'); // drop the rest instead of reading it
      answer(res, 413, 'body too large');
    }
  });
  req.on('end', () => {
    if (res.headersSent) return;
    const raw = Buffer.concat(chunks); // 1. the exact bytes, never a re-serialised object
    if (!signedWithOurSecret(raw, req.headers)) return answer(res, 401, 'bad signature');
    if (!fresh(req.headers['x-partner-webhook-timestamp'])) return answer(res, 400, 'stale timestamp');
    let event;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch {
      return answer(res, 400, 'body is not JSON');
    }
    const id = String(event?.id ?? '');
    if (!id) return answer(res, 400, 'no event id');
    if (processed.has(id)) {
      console.log(`duplicate ${id}`);
      return answer(res, 200); // already handled: acknowledge so the platform stops retrying
    }
    processed.add(id);
    console.log(`verified ${id} ${event.type} ${event.data?.id} ${event.data?.status}`);
    answer(res, 200); // 5. 2xx at once …
    setImmediate(handle, event); // … and the slow work afterwards (or hand it to a queue)
  });
});
// 5. Answer within 10 s: never let one slow client hold a request open longer.
server.requestTimeout = 10_000;
server.headersTimeout = 10_000;
server.listen(PORT, () => console.log(`listening on ${server.address().port}`));
