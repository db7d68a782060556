import type { ServerOptions } from 'node:http';
import { HTTP_TIMEOUT_DEFAULTS, type HttpTimeouts } from '../config.ts';

/**
 * Fastify and node:http options enforcing the request, header and idle timeouts. Node checks request and
 * header deadlines every `connectionsCheckingInterval` (30 s by default, which would let a 10 s timeout
 * run to 40 s), so the interval follows the shortest timeout.
 */
export function serverTimeoutOptions(timeouts: HttpTimeouts = HTTP_TIMEOUT_DEFAULTS): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: ServerOptions;
} {
  const shortest = Math.min(timeouts.requestTimeoutMs, timeouts.headersTimeoutMs);
  return {
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionTimeout: timeouts.idleTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(5000, Math.max(100, Math.floor(shortest / 4))),
    },
  };
}
