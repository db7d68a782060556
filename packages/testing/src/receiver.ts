import { spawnSync } from 'node:child_process';
import http from 'node:http';

export interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

type Responder = (
  request: Received,
  index: number,
) => { status: number; delayMs?: number; body?: string; headers?: Record<string, string> };

/**
 * A partner's webhook endpoint on 127.0.0.1: records the exact bytes and headers of every request and
 * answers as the test says (status codes in sequence, delays, redirects).
 */
export interface Receiver {
  url: string;
  received: Received[];
  respond(responder: Responder): void;
  /** Resolves when `count` requests have arrived (or rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hook'): Promise<Receiver> {
  const received: Received[] = [];
  let responder: Responder = () => ({ status: 200 });
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() };
      received.push(entry);
      for (const w of waiters.splice(0)) w();
      const answer = responder(entry, received.length - 1);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? 'ok');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    respond: (r) => {
      responder = r;
    },
    waitFor: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`expected ${count} webhook requests, got ${received.length}`)),
          timeoutMs,
        );
        const check = () => {
          if (received.length >= count) {
            clearTimeout(deadline);
            resolve(received);
          } else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The independent check: `openssl dgst -sha256 -hmac <secret>` over `<t>.<exact body bytes>`. */
export function opensslHmac(secret: string, message: string): string {
  const result = spawnSync('openssl', ['dgst', '-sha256', '-hmac', secret], {
    input: Buffer.from(message, 'utf8'),
  });
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return result.stdout.toString().trim().split(' ').pop()!;
}

/** Splits `t=…,v1=…,v1=…` and says whether any v1 matches `secret` according to openssl. */
export function verifiedByOpenssl(header: string, body: string, secret: string): boolean {
  const parts = header.split(',');
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  const signatures = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  if (!t) return false;
  const expected = opensslHmac(secret, `${t}.${body}`);
  return signatures.includes(expected);
}
