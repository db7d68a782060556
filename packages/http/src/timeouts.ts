import type { ServerOptions } from 'node:http';
import type { SettingsReader } from '@0bit/core/settings';

/**
 * Without these a client that sends half a body (or a Content-Length larger than its body) holds a
 * connection and its memory forever: Fastify's requestTimeout is 0 by default.
 */
export interface HttpTimeouts {
  /** The whole request, headers and body, must arrive within this (Fastify requestTimeout); answered 408. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (node's headersTimeout); at most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; above a load balancer's idle timeout (60 s on AWS). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is destroyed (Fastify connectionTimeout); 0 turns it off. */
  idleTimeoutMs: number;
}

export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 72_000,
  idleTimeoutMs: 120_000,
};

/** The HTTP_* variables; the header deadline may not outlast the whole request's. */
export function readHttpTimeouts(settings: SettingsReader): HttpTimeouts {
  const d = HTTP_TIMEOUT_DEFAULTS;
  const timeouts: HttpTimeouts = {
    requestTimeoutMs: settings.int('HTTP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 500, 600_000),
    headersTimeoutMs: settings.int('HTTP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 500, 600_000),
    keepAliveTimeoutMs: settings.int('HTTP_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 1000, 600_000),
    idleTimeoutMs: settings.int('HTTP_IDLE_TIMEOUT_MS', d.idleTimeoutMs, 0, 3_600_000),
  };
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs)
    settings.problem('HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS');
  return timeouts;
}

/**
 * Fastify and node:http options enforcing the request, header and idle timeouts. Node checks request and
 * header deadlines every `connectionsCheckingInterval` (30 s by default, which would let a 10 s timeout
 * run to 40 s), so the interval follows the shortest timeout.
 */
export function serverTimeoutOptions(timeouts: HttpTimeouts = HTTP_TIMEOUT_DEFAULTS): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  return503OnClosing: boolean;
  http: ServerOptions;
} {
  const shortest = Math.min(timeouts.requestTimeoutMs, timeouts.headersTimeoutMs);
  return {
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionTimeout: timeouts.idleTimeoutMs,
    // While the server closes (SIGTERM), a request already arriving on an open keep-alive connection is
    // served (with `Connection: close`), not refused with 503: it was accepted, so it gets its answer.
    return503OnClosing: false,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(5000, Math.max(100, Math.floor(shortest / 4))),
    },
  };
}
