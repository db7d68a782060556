/**
 * A bounded load generator: a fixed number of session creates (each followed by a sandbox completion or a
 * cancel, so sessions produce more than one event) spread over a time window, at most `concurrency` in
 * flight, plus a prober reading the session list every few hundred milliseconds so recovery after a fault
 * is measured even when the creates are done. Every request is recorded with its start, end and status
 * (0 = no HTTP answer: refused, reset or timed out).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { sleep } from './processes.ts';

export interface LoadPartner {
  id: string;
  secretKey: string;
}

export interface RequestRecord {
  kind: 'create' | 'complete' | 'cancel' | 'probe';
  start: number;
  end: number;
  status: number;
}

export interface LoadOptions {
  /** Base URLs of the API processes, read at each request (processes restart on the same port). */
  apis: () => string[];
  partners: LoadPartner[];
  /** Creates per partner: the create limit is 10 a minute per key, so at most 10. */
  createsPerPartner: number;
  /** Window the creates are spread over. */
  durationMs: number;
  concurrency: number;
  probeEveryMs: number;
  requestTimeoutMs: number;
}

export interface Load {
  records: RequestRecord[];
  /** Resolves when every create (and its follow-up) has been answered; the prober keeps going. */
  done: Promise<void>;
  /** Stops the creates still due and the prober. */
  stop(): Promise<void>;
}

export const SESSION_BODY = {
  amount: '100.00',
  currency: 'EUR',
  return_url: 'https://partner.example/complete',
  cancel_url: 'https://partner.example/cancel',
  target_token: 'USDT',
  target_network: 'arbitrum',
  flow: 'on_ramp',
  user_reference: 'chaos_user',
  metadata: { source: 'chaos' },
};

export const ALLOWED_DOMAIN = 'https://partner.example';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface Answer {
  status: number;
  body: unknown;
}

/** One HTTP request that always settles: status 0 when there was no answer in time. */
export function request(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      new URL(path, baseUrl),
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', () => resolve({ status: 0, body: null }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ status: 0, body: null });
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function startLoad(options: LoadOptions): Load {
  const records: RequestRecord[] = [];
  let stopped = false;
  let rr = 0;
  const pickApi = () => {
    const apis = options.apis();
    return apis[rr++ % apis.length]!;
  };

  const timed = async (
    kind: RequestRecord['kind'],
    method: string,
    path: string,
    key: string,
    body: unknown,
    extra: Record<string, string> = {},
  ): Promise<Answer> => {
    const start = Date.now();
    const answer = await request(
      pickApi(),
      method,
      path,
      { authorization: `Bearer ${key}`, ...extra },
      body,
      options.requestTimeoutMs,
    );
    records.push({ kind, start, end: Date.now(), status: answer.status });
    return answer;
  };

  // One task: create a session, then complete it in the sandbox (two in three) or cancel it.
  const task = async (index: number) => {
    const partner = options.partners[index % options.partners.length]!;
    const created = await timed('create', 'POST', '/v1/gate_sessions', partner.secretKey, SESSION_BODY, {
      'idempotency-key': randomUUID(),
    });
    const id = (created.body as { id?: string } | null)?.id;
    if (created.status !== 201 || !id || stopped) return;
    if (index % 3 === 2)
      await timed('cancel', 'POST', `/v1/gate_sessions/${id}/cancel`, partner.secretKey, undefined, {
        'idempotency-key': randomUUID(),
      });
    else
      await timed(
        'complete',
        'POST',
        `/v1/test_helpers/sessions/${id}/complete`,
        partner.secretKey,
        {},
        {
          'idempotency-key': randomUUID(),
        },
      );
  };

  const total = options.partners.length * options.createsPerPartner;
  const spacing = options.durationMs / total;
  const began = Date.now();

  const creates = (async () => {
    const running = new Set<Promise<void>>();
    for (let i = 0; i < total && !stopped; i++) {
      const due = began + i * spacing;
      if (due > Date.now()) await sleep(due - Date.now());
      while (running.size >= options.concurrency) await Promise.race(running);
      const p: Promise<void> = task(i).finally(() => running.delete(p));
      running.add(p);
    }
    await Promise.all(running);
  })();

  const probes = (async () => {
    let n = 0;
    while (!stopped) {
      const partner = options.partners[n++ % options.partners.length]!;
      const tick = sleep(options.probeEveryMs);
      await timed('probe', 'GET', '/v1/gate_sessions?limit=1', partner.secretKey, undefined);
      await tick;
    }
  })();

  return {
    records,
    done: creates,
    stop: async () => {
      stopped = true;
      await probes;
    },
  };
}

/** Time from `faultAt` to the end of the first 2xx answer to a request sent after it. */
export function recoveryMs(records: RequestRecord[], faultAt: number): number | null {
  let best: number | null = null;
  for (const r of records)
    if (r.start > faultAt && r.status >= 200 && r.status < 300 && (best === null || r.end < best))
      best = r.end;
  return best === null ? null : best - faultAt;
}
