/**
 * The partners' webhook endpoints: a real HTTP server on 127.0.0.1. `/hook/<partner id>` verifies the
 * `Gate-Signature` HMAC with that partner's secret and records event ids; only a verified request that was
 * answered 2xx counts as delivered. `hang(ms)` makes it accept requests and never answer for a while.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export interface PartnerTally {
  /** Event ids answered 2xx, with the time the first such request arrived. */
  delivered: Map<string, number>;
  /** 2xx answers for an id that had already been answered 2xx. */
  duplicates: number;
  /** Requests whose signature or event id did not verify. */
  badSignatures: number;
  /** Every request that arrived, answered or not. */
  requests: number;
  /** Requests held without an answer while hanging. */
  unanswered: number;
}

export interface ChaosReceiver {
  baseUrl: string;
  register(partnerId: string, secret: string): void;
  tally(partnerId: string): PartnerTally;
  /** Accept and hold every request for `ms` (then drop the held connections); deliveries made after answer. */
  hang(ms: number): void;
  /** Delay before each answer (a slow receiver builds a backlog). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export function verifyGateSignature(header: string, body: string, secret: string): boolean {
  const parts = header.split(',');
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  if (!t) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest();
  return parts
    .filter((p) => p.startsWith('v1='))
    .some((p) => {
      const given = Buffer.from(p.slice(3), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

export async function startReceiver(): Promise<ChaosReceiver> {
  const secrets = new Map<string, string>();
  const tallies = new Map<string, PartnerTally>();
  const held = new Set<http.ServerResponse>();
  let hangUntil = 0;
  let delayMs = 0;

  const tally = (partnerId: string): PartnerTally => {
    let t = tallies.get(partnerId);
    if (!t) {
      t = { delivered: new Map(), duplicates: 0, badSignatures: 0, requests: 0, unanswered: 0 };
      tallies.set(partnerId, t);
    }
    return t;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = Date.now();
      const match = /^\/hook\/([^/?]+)$/.exec(req.url ?? '');
      const secret = match ? secrets.get(match[1]!) : undefined;
      if (!match || !secret) {
        res.writeHead(404).end('unknown endpoint');
        return;
      }
      const t = tally(match[1]!);
      t.requests++;
      if (Date.now() < hangUntil) {
        t.unanswered++;
        held.add(res);
        res.on('close', () => held.delete(res));
        return; // accepted, never answered: the worker's timeout must fire
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const eventId = String(req.headers['x-0bit-event-id'] ?? '');
      let bodyId: unknown;
      try {
        bodyId = (JSON.parse(body) as { id?: unknown }).id;
      } catch {
        bodyId = undefined;
      }
      if (
        !verifyGateSignature(String(req.headers['gate-signature'] ?? ''), body, secret) ||
        bodyId !== eventId
      ) {
        t.badSignatures++;
        res.writeHead(400).end('signature does not verify');
        return;
      }
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        // Counted once answered: an answer the worker never reads would be retried, not lost.
        if (t.delivered.has(eventId)) t.duplicates++;
        else t.delivered.set(eventId, arrivedAt);
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  let hangTimer: NodeJS.Timeout | undefined;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    register: (partnerId, secret) => {
      secrets.set(partnerId, secret);
      tally(partnerId);
    },
    tally,
    hang: (ms) => {
      hangUntil = Date.now() + ms;
      clearTimeout(hangTimer);
      hangTimer = setTimeout(() => {
        for (const res of held) res.destroy();
        held.clear();
      }, ms);
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        clearTimeout(hangTimer);
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
