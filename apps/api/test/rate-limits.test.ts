import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer({ rateLimits: true });

describe(`rate limits (${process.env.REDIS_URL ? 'Redis' : 'memory'} counters)`, () => {
  it('allows 10 creates per minute per key, then 429 with Retry-After and RateLimit headers', async () => {
    const { keys } = await server.partner();
    const answers = [];
    for (let i = 0; i < 11; i++)
      answers.push(
        await server.call('POST', '/v1/gate_sessions', {
          headers: writeHeaders(keys.test.secret_key),
          body: SPEC_CREATE_BODY,
        }),
      );
    expect(answers.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(answers[0]!.headers['ratelimit-limit']).toBe('10');
    expect(answers[0]!.headers['ratelimit-remaining']).toBe('9');
    expect(answers[9]!.headers['ratelimit-remaining']).toBe('0');
    const limited = answers[10]!;
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(limited.body.message).toContain('10 requests per minute');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Number(limited.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
  });

  it('counts each key separately: another key, and the same partner in live mode, are not limited', async () => {
    const a = await server.partner();
    const b = await server.partner();
    for (let i = 0; i < 11; i++)
      await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(a.keys.test.secret_key),
        body: SPEC_CREATE_BODY,
      });
    const other = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(b.keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    expect(other.status).toBe(201);
    const live = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(a.keys.live.secret_key),
      body: SPEC_CREATE_BODY,
    });
    expect(live.status).toBe(201);
  });

  it.each([
    ['retrieve', 'GET', 60],
    ['cancel', 'POST', 30],
  ])('limits %s to %i per minute per key', async (name, method, limit) => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: SPEC_CREATE_BODY,
    });
    const path =
      name === 'cancel'
        ? `/v1/gate_sessions/${created.body.id}/cancel`
        : `/v1/gate_sessions/${created.body.id}`;
    const statuses = [];
    for (let i = 0; i < Number(limit) + 1; i++)
      statuses.push(
        (await server.call(method, path, { headers: name === 'cancel' ? writeHeaders(sk) : bearer(sk) }))
          .status,
      );
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, Number(limit)).includes(429)).toBe(false);
  });

  it('limits embed bootstrap to 30 per minute per IP address', async () => {
    const p = await server.partner({ allowed_domains: ['https://partner.example'] });
    const statuses = [];
    for (let i = 0; i < 31; i++)
      statuses.push(
        (
          await server.call('POST', '/v1/embed/bootstrap', {
            headers: { ...bearer(p.keys.test.publishable_key), origin: 'https://partner.example' },
            body: {},
          })
        ).status,
      );
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});
