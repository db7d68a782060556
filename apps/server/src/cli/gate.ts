import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomAlphanumeric } from '@0bit/core/ids';
import { gateSigner } from '@0bit/webhooks/signer';

/**
 * `npm run gate -- listen --forward-to http://localhost:8080/hook`: receive your test-mode events on your
 * machine without a public URL. It follows /v1/events with your sk_test_ key and forwards each event,
 * byte for byte as the webhook worker sends it, signed with this CLI's own signing secret (printed at
 * start, kept in DATA_DIR/cli-webhook-secret) — use that secret in your local handler.
 *
 * `npm run gate -- trigger gate_session.completed`: create a test session and drive it to that event.
 */
const USAGE = `Usage:
  npm run gate -- listen --forward-to <url> [--api-key sk_test_…] [--api-base http://localhost:$PORT] [--interval-ms 2000]
  npm run gate -- trigger <gate_session.created|gate_session.completed|gate_session.cancelled|gate_session.expired>
                  [--api-key sk_test_…] [--api-base …] [--return-url http://localhost:3000/complete]

The key defaults to GATE_SECRET_KEY, then to the demo partner's key in DATA_DIR/demo-partner.json.`;

interface Options {
  apiKey: string;
  apiBase: string;
}

type Envelope = { id: string; type: string; created_at: number; data: Record<string, unknown> };

function resolveKey(given: string | undefined, dataDir: string): string {
  if (given) return given;
  if (process.env.GATE_SECRET_KEY) return process.env.GATE_SECRET_KEY;
  const demo = join(dataDir, 'demo-partner.json');
  if (existsSync(demo)) return JSON.parse(readFileSync(demo, 'utf8')).secret_key;
  throw new Error('no API key: pass --api-key sk_test_… or set GATE_SECRET_KEY');
}

async function api<T>(options: Options, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${options.apiBase}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.apiKey}`,
      // Every 0Gate write takes an Idempotency-Key (reads take none).
      ...(method === 'GET' ? {} : { 'idempotency-key': randomUUID() }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    const message = payload?.message ?? response.statusText;
    throw new Error(
      `${method} ${path} → ${response.status}: ${Array.isArray(message) ? message.join('; ') : message}`,
    );
  }
  return payload as T;
}

function cliSecret(dataDir: string): string {
  const file = join(dataDir, 'cli-webhook-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = `whsec_${randomAlphanumeric(32)}`;
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

async function listen(
  options: Options,
  forwardTo: string,
  intervalMs: number,
  dataDir: string,
): Promise<never> {
  if (!options.apiKey.startsWith('sk_test_'))
    throw new Error('listen works in test mode only: use an sk_test_ key');
  const secret = cliSecret(dataDir);
  const newest = await api<{ data: Envelope[] }>(options, 'GET', '/v1/events?limit=1');
  let cursor: string | undefined = newest.data[0]?.id;
  console.log(`Ready. Forwarding test events to ${forwardTo}`);
  console.log(
    `Signing secret for this CLI: ${secret}  (verify Gate-Signature with it in your local handler)`,
  );
  for (;;) {
    try {
      const query: string = cursor ? `ending_before=${cursor}&limit=100` : 'limit=100';
      const page = await api<{ data: Envelope[] }>(options, 'GET', `/v1/events?${query}`);
      for (const event of [...page.data].reverse()) {
        cursor = event.id;
        // JSON.stringify of the envelope gives the same bytes the worker sends (key order is kept).
        const payload = JSON.stringify(event);
        const headers = gateSigner({
          payload,
          secrets: [secret],
          eventId: event.id,
          eventType: event.type,
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        const started = Date.now();
        try {
          const response = await fetch(forwardTo, {
            method: 'POST',
            headers,
            body: payload,
            redirect: 'manual',
          });
          console.log(`→ ${event.type} ${event.id} [${response.status}] ${Date.now() - started} ms`);
        } catch (error) {
          console.log(`→ ${event.type} ${event.id} [failed: ${(error as Error).message}]`);
        }
      }
    } catch (error) {
      console.error(`could not read events: ${(error as Error).message}; retrying`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function trigger(options: Options, event: string, returnUrl: string): Promise<void> {
  const kinds = [
    'gate_session.created',
    'gate_session.completed',
    'gate_session.cancelled',
    'gate_session.expired',
  ];
  if (!kinds.includes(event)) throw new Error(`cannot trigger "${event}"; choose one of ${kinds.join(', ')}`);
  const expiring = event === 'gate_session.expired';
  const session = await api<{ id: string }>(options, 'POST', '/v1/gate_sessions', {
    amount: '100.00',
    currency: 'EUR',
    return_url: returnUrl,
    metadata: { triggered_by: '0bit-cli' },
    ...(expiring ? { expires_at: new Date(Date.now() + 2000).toISOString() } : {}),
  });
  console.log(`created session ${session.id}`);
  if (event === 'gate_session.completed')
    await api(options, 'POST', `/v1/test_helpers/sessions/${session.id}/complete`, {});
  if (event === 'gate_session.cancelled')
    await api(options, 'POST', `/v1/gate_sessions/${session.id}/cancel`, {});
  if (expiring) {
    await new Promise((r) => setTimeout(r, 2500));
    await api(options, 'GET', `/v1/gate_sessions/${session.id}`);
  }
  console.log(`triggered ${event} for session ${session.id}`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'forward-to': { type: 'string' },
      'api-key': { type: 'string' },
      'api-base': { type: 'string' },
      'interval-ms': { type: 'string' },
      'return-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, argument] = positionals;
  const dataDir = process.env.DATA_DIR || './.data';
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const options: Options = {
    apiKey: resolveKey(values['api-key'], dataDir),
    apiBase: (values['api-base'] ?? `http://localhost:${process.env.PORT || 4000}`).replace(/\/+$/, ''),
  };
  if (command === 'listen') {
    if (!values['forward-to']) throw new Error('--forward-to <url> is required');
    await listen(options, values['forward-to'], Number(values['interval-ms'] ?? 2000), dataDir);
  }
  if (command === 'trigger') {
    if (!argument) throw new Error('name the event to trigger, e.g. gate_session.completed');
    await trigger(options, argument, values['return-url'] ?? 'http://localhost:3000/complete');
    return 0;
  }
  console.log(USAGE);
  return 2;
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  });
