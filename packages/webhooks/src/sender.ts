import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Mode } from '@0bit/core/scope';
import { checkDestination, type Destination, type EgressPolicy } from './egress.ts';

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  /**
   * At most `maxResponseBytes` of the receiver's answer, for the delivery log — only when the receiver is a
   * public address. null for loopback (local development) and when nothing was received: the log must never
   * read back what a machine inside the deployment answers.
   */
  responseBody: string | null;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  mode: Mode;
  policy: EgressPolicy;
  /** Aborts the attempt (the worker is shutting down and its grace period is over). */
  signal?: AbortSignal;
}

export const ABORTED = 'aborted: the worker shut down before the receiver answered';

/** The address the egress policy checked, whatever the resolver would answer now (no DNS rebinding). */
const pinnedLookup =
  (destination: Destination): LookupFunction =>
  (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address: destination.address, family: destination.family },
      ]);
    callback(null, destination.address, destination.family);
  };

// Keep-alive pools per origin: a busy endpoint reuses its connections instead of a TCP handshake per event.
// Loopback sockets (local development) have pools of their own, so a public destination never reuses one.
// Up to 64 connections per origin: as many as one partner's share of the default 64 slots can use.
const KEEP_ALIVE = { keepAlive: true, maxSockets: 64 };
const AGENTS = {
  'http:': { public: new http.Agent(KEEP_ALIVE), loopback: new http.Agent(KEEP_ALIVE) },
  'https:': { public: new https.Agent(KEEP_ALIVE), loopback: new https.Agent(KEEP_ALIVE) },
} as const;

/**
 * POSTs one webhook through the egress policy: resolves once, refuses what the policy refuses without
 * connecting, connects to the checked address, never follows redirects, never waits past the timeout (DNS
 * included), never reads past the cap.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let abort: (() => void) | undefined;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    };
    const timer = setTimeout(() => {
      abort?.();
      finish({ statusCode: null, error: `timed out after ${options.timeoutMs} ms`, responseBody: null });
    }, options.timeoutMs);
    const onAbort = () => {
      abort?.();
      finish({ statusCode: null, error: ABORTED, responseBody: null });
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    checkDestination(url, options.mode, options.policy).then(
      (verdict) => {
        if (settled) return;
        if (!verdict.ok) {
          finish({ statusCode: null, error: verdict.reason, responseBody: null });
          return;
        }
        send(verdict.destination);
      },
      (error: Error) => finish({ statusCode: null, error: error.message, responseBody: null }),
    );

    function send(destination: Destination) {
      const target = destination.url;
      const client = target.protocol === 'https:' ? https : http;
      const request = client.request(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: AGENTS[target.protocol as 'http:' | 'https:'][destination.loopback ? 'loopback' : 'public'],
        lookup: pinnedLookup(destination),
      });
      abort = () => request.destroy();
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const code = response.statusCode ?? 0;
          const excerpt = Buffer.concat(chunks).subarray(0, options.maxResponseBytes).toString('utf8');
          const redirect =
            code >= 300 && code < 400
              ? `redirect${destination.loopback ? '' : ` to ${response.headers.location ?? '?'}`} not followed (a 3xx is a failed attempt)`
              : null;
          finish({ statusCode: code, error: redirect, responseBody: destination.loopback ? null : excerpt });
          // Whatever is left unread is dropped with the socket: the cap bounds what a receiver can make us read.
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          if (size < options.maxResponseBytes) chunks.push(chunk);
          size += chunk.length;
          if (size >= options.maxResponseBytes) done();
        });
        response.on('end', done);
        response.on('error', done);
      });
      request.on('error', (error) => finish({ statusCode: null, error: error.message, responseBody: null }));
      request.end(body);
    }
  });
}
