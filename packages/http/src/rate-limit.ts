import { RateLimitError } from '@0bit/core/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WindowCounter } from './counters.ts';

export interface RateLimitRule {
  /** Names the limit in counter keys and messages, e.g. "sessions.create". */
  name: string;
  /** Requests per minute. */
  perMinute: number;
  /** Count per API key (after auth) or per client IP. */
  per: 'key' | 'ip';
}

const WINDOW_MS = 60_000;

/**
 * Counts one request in the shared one-minute window. Null when the counter store is unreachable: the
 * caller lets the request through (a Redis outage must not take the API down), and it is logged.
 */
export async function countRequest(
  counter: WindowCounter,
  key: string,
  log: FastifyRequest['log'],
): Promise<{ count: number; resetSeconds: number } | null> {
  try {
    const { count, resetMs } = await counter.hit(key, WINDOW_MS);
    return { count, resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)) };
  } catch (err) {
    log.warn({ err, limit: key }, 'rate limit store unavailable; allowing request');
    return null;
  }
}

/**
 * A preHandler enforcing one rule, with the IETF RateLimit headers on every answer and Retry-After on 429.
 * If the shared counter store is unreachable the request goes through: a Redis outage must not take the
 * API down with it. It is logged so operators see it.
 */
export function rateLimit(counter: WindowCounter | null, rule: RateLimitRule) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!counter) return;
    const subject = rule.per === 'key' ? request.auth?.keyId : request.ip;
    const result = await countRequest(counter, `${rule.name}:${subject}`, request.log);
    if (!result) return;
    const { resetSeconds } = result;
    reply.header('RateLimit-Limit', String(rule.perMinute));
    reply.header('RateLimit-Remaining', String(Math.max(0, rule.perMinute - result.count)));
    reply.header('RateLimit-Reset', String(resetSeconds));
    if (result.count > rule.perMinute)
      throw new RateLimitError(
        `Rate limit of ${rule.perMinute} requests per minute ${rule.per === 'key' ? 'per API key' : 'per IP address'} exceeded for this endpoint; retry after ${resetSeconds} s`,
        resetSeconds,
      );
  };
}
