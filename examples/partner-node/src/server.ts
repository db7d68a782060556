/**
 * The example partner shop (examples/partner-node). Everything a partner writes is here:
 *   1. POST /api/orders — the server creates a 0Gate session with its secret key (@0bit/gate);
 *   2. the page mounts the widget with the publishable key and the session's client secret (GateJS);
 *   3. POST /webhooks/gate — the server verifies the signature and marks the order paid.
 * The browser's onSuccess only updates the page; the order is paid when the verified webhook says so.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GateClient, SignatureVerificationError } from '@0bit/gate';

export interface PartnerExampleOptions {
  port: number;
  host?: string;
  secretKey: string;
  publishableKey: string;
  /** whsec_… of the partner's webhook endpoint (pointed at /webhooks/gate). */
  webhookSecret: string | null;
  /** The 0Gate API and widget origins (local: http://localhost:4000 and http://localhost:3000). */
  apiBaseUrl: string;
  iframeUrl: string;
  /** This shop's own origin, for return URLs (default http://localhost:<port>). */
  publicUrl?: string;
}

interface Order {
  id: string;
  flow: string;
  sessionId: string;
  status: 'pending' | 'paid';
  txRefid: string | null;
}

// Found through the packages (not relative to this file), so the server's production bundle finds them too.
const resolve = createRequire(import.meta.url).resolve;
const PUBLIC = join(dirname(resolve('@0bit/example-partner-node/package.json')), 'public');
const PAGE = readFileSync(join(PUBLIC, 'index.html'), 'utf8');
const SCRIPT = readFileSync(join(PUBLIC, 'shop.js'), 'utf8');
const GATE_JS = readFileSync(resolve('@0bit/gate/browser/gate.iife.js'), 'utf8');

export async function startPartnerExample(options: PartnerExampleOptions) {
  const gate = new GateClient({ apiKey: options.secretKey, baseUrl: options.apiBaseUrl });
  const orders = new Map<string, Order>();
  const seenEvents = new Set<string>();
  let next = 1;

  const readBody = (req: http.IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/done'))
        return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      if (req.method === 'GET' && url.pathname === '/shop.js')
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(SCRIPT);
      if (req.method === 'GET' && url.pathname === '/gate.js')
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end(GATE_JS);
      if (req.method === 'GET' && url.pathname === '/config.json')
        return json(res, 200, {
          publishableKey: options.publishableKey,
          apiBaseUrl: options.apiBaseUrl,
          iframeUrl: options.iframeUrl,
        });

      if (req.method === 'POST' && url.pathname === '/api/orders') {
        const { flow = null } = JSON.parse((await readBody(req)).toString() || '{}');
        const id = `order_${next++}`;
        const origin = options.publicUrl ?? `http://localhost:${port}`;
        const session = await gate.sessions.create({
          amount: '100.00',
          currency: 'EUR',
          target_token: flow === 'off_ramp' ? 'BTC' : flow === 'on_ramp' ? 'USDT' : 'USDC',
          target_network: flow === 'off_ramp' ? 'bitcoin' : 'arbitrum',
          flow,
          wallet_address: flow === 'off_ramp' ? null : '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
          return_url: `${origin}/done?order=${id}`,
          cancel_url: `${origin}/done?order=${id}&cancelled=1`,
          metadata: { order_id: id },
        });
        orders.set(id, { id, flow: flow ?? 'any', sessionId: session.id, status: 'pending', txRefid: null });
        // Only the client secret goes to the browser; the secret key never leaves this server.
        return json(res, 201, { orderId: id, clientSecret: session.client_secret });
      }
      if (req.method === 'GET' && url.pathname.startsWith('/api/orders/')) {
        const order = orders.get(url.pathname.slice('/api/orders/'.length));
        return order ? json(res, 200, order) : json(res, 404, { error: 'no such order' });
      }

      if (req.method === 'POST' && url.pathname === '/webhooks/gate') {
        if (!options.webhookSecret) return json(res, 503, { error: 'no webhook secret configured' });
        const raw = await readBody(req); // the exact bytes: never re-serialise before verifying
        let event: ReturnType<typeof gate.webhooks.constructEvent>;
        try {
          event = gate.webhooks.constructEvent(raw, req.headers['gate-signature'], options.webhookSecret);
        } catch (error) {
          if (error instanceof SignatureVerificationError) return json(res, 400, { error: error.message });
          throw error;
        }
        if (!seenEvents.has(event.id)) {
          seenEvents.add(event.id);
          if (event.type === 'gate_session.completed') {
            const order = [...orders.values()].find((o) => o.sessionId === event.data.id);
            if (order) Object.assign(order, { status: 'paid', txRefid: event.data.tx_refid });
            console.log(
              `order ${order?.id ?? '?'} paid: session ${event.data.id}, tx ${event.data.tx_refid}`,
            );
          }
        }
        return json(res, 200, { received: true });
      }
      json(res, 404, { error: 'not found' });
    } catch (error) {
      console.error(error);
      json(res, 500, { error: (error as Error).message });
    }
  });
  let port = options.port;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://localhost:${port}`,
    orders,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
