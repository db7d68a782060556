import dns from 'node:dns/promises';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import type { Resolver } from '@0bit/webhooks/egress';
import { describe, expect, it } from 'vitest';
import { setEndpoint } from '../src/domain/webhook-endpoints.ts';
import { bearer, SPEC_CREATE_BODY, type TestServer, useTestServer, writeHeaders } from './support/server.ts';

/**
 * Issue #14, finding 2: test-mode webhooks were an SSRF that handed the internal answer back through the
 * delivery log. Host names the test controls resolve here; any other name goes to the system resolver.
 */
const resolve: Resolver = async (hostname) => {
  const table: Record<string, string[]> = {
    'internal.partner.example': ['10.0.0.7'],
    'metadata.partner.example': ['169.254.169.254'],
  };
  if (table[hostname]) return table[hostname]!.map((address) => ({ address, family: 4 as const }));
  return (await dns.lookup(hostname, { all: true })).map((a) => ({
    address: a.address,
    family: a.family as 4 | 6,
  }));
};

const webhooks = { retrySchedule: '0.2', timeoutMs: 1000 };
/** `npm start` on a laptop: test mode may reach loopback. */
const dev = useTestServer({ webhooks, egress: { allowLoopback: true, resolve } });
/** A deployment (the sandbox host runs test mode in production): no loopback at all. */
const prod = useTestServer({ webhooks, egress: { allowLoopback: false, resolve } });

async function putEndpoint(server: TestServer, key: string, url: string) {
  return server.call('PUT', '/portal/webhook-endpoint', { headers: bearer(key), body: { url } });
}

async function withInternalService<T>(fn: (r: Receiver) => Promise<T>): Promise<T> {
  const r = await startReceiver('/internal/admin');
  r.respond(() => ({ status: 200, body: 'INTERNAL-ONLY: db password hunter2' }));
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

async function lastAttempt(server: TestServer, sk: string) {
  for (let i = 0; i < 100; i++) {
    const list = await server.call('GET', '/portal/webhook-deliveries', { headers: bearer(sk) });
    const delivery = list.body.data[0];
    if (delivery && delivery.attempt_count > 0) {
      const detail = await server.call('GET', `/portal/webhook-deliveries/${delivery.id}`, {
        headers: bearer(sk),
      });
      return detail.body.attempts[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no attempt was recorded');
}

const PRIVATE_IN_EVERY_MODE = [
  'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://169.254.169.254/latest/meta-data/',
  'https://metadata.partner.example/latest/meta-data',
  'https://10.0.0.5/hook',
  'https://internal.partner.example/hook',
  'https://172.16.0.1/hook',
  'https://192.168.1.10/hook',
  'https://100.64.0.1/hook',
  'https://[fd00::1]/hook',
  'https://[fe80::1]/hook',
  'https://[fec0::1]/hook',
  'https://[ff02::1]/hook',
  'https://[::ffff:10.0.0.5]/hook',
  'https://[64:ff9b::a9fe:a9fe]/hook',
  'https://[2002:a9fe:a9fe::]/hook',
  'https://0.0.0.0/hook',
  'https://192.0.2.1/hook',
  'https://[2001:db8::1]/hook',
];

const LOOPBACK = [
  'http://127.0.0.1:9/hook',
  'http://localhost:9/hook',
  'https://[::1]/hook',
  'https://[::127.0.0.1]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'http://2130706433:9/hook',
  'http://0x7f.1:9/hook',
];

describe('egress policy at save time (PUT /portal/webhook-endpoint)', () => {
  it.each(PRIVATE_IN_EVERY_MODE)('refuses %s in test mode, even in local development', async (url) => {
    for (const server of [dev, prod]) {
      const p = await server.partner();
      const res = await putEndpoint(server, p.keys.test.secret_key, url);
      expect(res.status, url).toBe(422);
      expect(res.body.message.join(' ')).toMatch(/^url /);
    }
  });

  it.each([...PRIVATE_IN_EVERY_MODE, ...LOOPBACK])('refuses %s in live mode', async (url) => {
    const p = await dev.partner();
    const res = await putEndpoint(dev, p.keys.live.secret_key, url);
    expect(res.status, url).toBe(422);
    expect(res.body.message.join(' ')).toMatch(/^url /);
  });

  it.each(LOOPBACK)('refuses loopback %s in test mode when local development is off', async (url) => {
    const p = await prod.partner();
    const res = await putEndpoint(prod, p.keys.test.secret_key, url);
    expect(res.status, url).toBe(422);
    expect(res.body.message.join(' ')).toContain('loopback');
  });

  it('accepts loopback in test mode in local development (npm start + gate listen)', async () => {
    const p = await dev.partner();
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://[::1]:9/hook']) {
      const res = await putEndpoint(dev, p.keys.test.secret_key, url);
      expect(res.status, url).toBe(200);
    }
  });
});

describe('egress policy at send time', () => {
  it('never connects to loopback when local development is off, and the log holds no internal answer', () =>
    withInternalService(async (internal) => {
      const p = await prod.partner();
      const sk = p.keys.test.secret_key;
      // A URL stored before this policy existed (or by a path that skipped validation).
      await setEndpoint(prod.database.db, prod.box, { partnerId: p.partner.id, mode: 'test' }, internal.url);
      await prod.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body: SPEC_CREATE_BODY });
      const attempt = await lastAttempt(prod, sk);
      expect(attempt).toMatchObject({ status_code: null, response_body: null });
      expect(attempt.error).toMatch(/loopback/);
      expect(JSON.stringify(attempt)).not.toContain('INTERNAL-ONLY');
      expect(internal.received).toHaveLength(0);
    }));

  it('never connects to the metadata address even when a test endpoint was stored pointing there', async () => {
    const p = await dev.partner();
    const sk = p.keys.test.secret_key;
    await setEndpoint(
      dev.database.db,
      dev.box,
      { partnerId: p.partner.id, mode: 'test' },
      'http://169.254.169.254/latest/meta-data/',
    );
    await dev.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body: SPEC_CREATE_BODY });
    const attempt = await lastAttempt(dev, sk);
    expect(attempt).toMatchObject({ status_code: null, response_body: null });
    expect(attempt.error).toMatch(/link-local/);
    expect(attempt.duration_ms).toBeLessThan(500);
  });

  it('refuses at send time a stored host name that now resolves to a private address', async () => {
    const p = await prod.partner();
    const sk = p.keys.test.secret_key;
    await setEndpoint(
      prod.database.db,
      prod.box,
      { partnerId: p.partner.id, mode: 'test' },
      'https://internal.partner.example/hook',
    );
    await prod.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body: SPEC_CREATE_BODY });
    const attempt = await lastAttempt(prod, sk);
    expect(attempt).toMatchObject({ status_code: null, response_body: null });
    expect(attempt.error).toContain('internal.partner.example (10.0.0.7) is a private address');
  });

  it('delivers to loopback in local development, logging the status code but no excerpt of the answer', () =>
    withInternalService(async (internal) => {
      const p = await dev.partner();
      const sk = p.keys.test.secret_key;
      expect((await putEndpoint(dev, sk, internal.url)).status).toBe(200);
      await dev.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body: SPEC_CREATE_BODY });
      await internal.waitFor(1);
      const attempt = await lastAttempt(dev, sk);
      expect(attempt).toMatchObject({ status_code: 200, error: null, response_body: null });
      expect(JSON.stringify(attempt)).not.toContain('INTERNAL-ONLY');
    }));
});
