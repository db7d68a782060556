import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitError } from '../domain/errors.ts';
import type { WindowCounter } from '../store/counters.ts';

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
 * A preHandler enforcing one rule, with the IETF RateLimit headers on every answer and Retry-After on 429.
 * If the shared counter store is unreachable the request goes through: a Redis outage must not take the
 * API down with it. It is logged so operators see it.
 */
export function rateLimit(counter: WindowCounter | null, rule: RateLimitRule) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!counter) return;
    const subject = rule.per === 'key' ? request.auth?.keyId : request.ip;
    let result: { count: number; resetMs: number };
    try {
      result = await counter.hit(`${rule.name}:${subject}`, WINDOW_MS);
    } catch (err) {
      request.log.warn({ err, limit: rule.name }, 'rate limit store unavailable; allowing request');
      return;
    }
    const resetSeconds = Math.max(1, Math.ceil(result.resetMs / 1000));
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
