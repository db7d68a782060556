import { randomUUID } from 'node:crypto';
import type { Mode } from '@0bit/core/scope';
import { type Receiver, startReceiver, verifiedByOpenssl } from '@0bit/testing/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDue } from '../src/domain/sessions.ts';
import { bearer, SPEC_CREATE_BODY, type TestPartner, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer({ webhooks: { retrySchedule: '0.2,0.2,0.2,0.2', timeoutMs: 700 } });
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => receiver?.close());

async function partnerWithEndpoint(url: string, mode: Mode = 'test') {
  const p = await server.partner();
  const res = await server.call('PUT', '/portal/webhook-endpoint', {
    headers: bearer(p.keys[mode].secret_key),
    body: { url },
  });
  expect(res.status).toBe(200);
  return { ...p, secret: res.body.secret as string };
}

async function createSession(p: TestPartner, mode: Mode = 'test') {
  const res = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(p.keys[mode].secret_key),
    body: SPEC_CREATE_BODY,
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** A receiver of its own per test, so counts are exact. */
async function withReceiver<T>(fn: (r: Receiver) => Promise<T>): Promise<T> {
  const r = await startReceiver();
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

const waitForDelivery = async (
  sk: string,
  predicate: (d: { status: string; attempt_count: number }) => boolean,
  timeoutMs = 10_000,
) => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const list = await server.call('GET', '/portal/webhook-deliveries', { headers: bearer(sk) });
    const match = list.body.data.find(predicate);
    if (match) return match;
    if (Date.now() > until) throw new Error(`no matching delivery: ${JSON.stringify(list.body.data)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('webhook endpoint and secret', () => {
  it('creates a whsec_ secret on the first PUT only, and shows only its prefix afterwards', async () => {
    const p = await server.partner();
    const sk = p.keys.test.secret_key;
    const first = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(sk),
      body: { url: receiver.url },
    });
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(first.body).toMatchObject({ object: 'webhook_endpoint', url: receiver.url, mode: 'test' });
    const second = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(sk),
      body: { url: `${receiver.url}?v=2` },
    });
    expect(second.body.secret).toBeUndefined();
    const read = await server.call('GET', '/portal/webhook-endpoint', { headers: bearer(sk) });
    expect(read.body.url).toBe(`${receiver.url}?v=2`);
    expect(read.body.secrets).toEqual([
      { display_prefix: first.body.secret.slice(0, 10), created_at: expect.any(String), expires_at: null },
    ]);
    expect(read.text).not.toContain(first.body.secret);
    const stored = await server.database.db
      .selectFrom('webhook_secrets')
      .selectAll()
      .where('partner_id', '=', p.partner.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain(first.body.secret);
    expect(server.box.open(stored[0]!.secret_sealed)).toBe(first.body.secret);
    const live = await server.call('GET', '/portal/webhook-endpoint', {
      headers: bearer(p.keys.live.secret_key),
    });
    expect(live.status).toBe(404);
  });

  it.each([
    ['test', 'http://partner.example/hook', 'http on localhost'],
    ['test', 'ftp://localhost/hook', 'https'],
    ['test', 'not a url', 'absolute URL'],
    ['test', 'https://user:pw@partner.example/hook', 'credentials'],
    ['live', 'http://partner.example/hook', 'must use https'],
    ['live', 'https://localhost/hook', 'loopback, private'],
    ['live', 'https://127.0.0.1/hook', 'loopback, private'],
    ['live', 'https://169.254.169.254/latest/meta-data', 'loopback, private'],
    ['live', 'https://10.1.2.3/hook', 'loopback, private'],
    ['live', 'https://[::1]/hook', 'loopback, private'],
  ])('refuses a %s endpoint %s', async (mode, url, phrase) => {
    const p = await server.partner();
    const res = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(p.keys[mode as Mode].secret_key),
      body: { url },
    });
    expect(res.status).toBe(422);
    expect(res.body.message.join(' ')).toContain(phrase);
  });

  it('requires the secret key of the mode, never a publishable key', async () => {
    const p = await server.partner();
    const res = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(p.keys.test.publishable_key),
      body: { url: receiver.url },
    });
    expect(res.status).toBe(403);
  });
});

describe('delivery', () => {
  it('delivers gate_session.created signed exactly as specified, verified by openssl over the raw bytes', () =>
    withReceiver(async (r) => {
      const p = await partnerWithEndpoint(r.url);
      const started = Date.now();
      const id = await createSession(p);
      const [hit] = await r.waitFor(1);
      expect(hit!.at - started).toBeLessThan(2000);
      const h = hit!.headers;
      expect(h['content-type']).toBe('application/json');
      expect(h['user-agent']).toBe('0bit-webhooks/1.0');
      expect(h['x-0bit-event-type']).toBe('gate_session.created');
      const signature = String(h['gate-signature']);
      expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(signature.split(',')[0]).toBe(`t=${h['x-0bit-timestamp']}`);
      expect(Math.abs(Number(h['x-0bit-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
      expect(verifiedByOpenssl(signature, hit!.body, p.secret)).toBe(true);
      expect(verifiedByOpenssl(signature, `${hit!.body} `, p.secret)).toBe(false);
      expect(verifiedByOpenssl(signature, hit!.body, `${p.secret}x`)).toBe(false);

      const envelope = JSON.parse(hit!.body);
      expect(Object.keys(envelope)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(h['x-0bit-event-id']).toBe(envelope.id);
      expect(envelope.data).toMatchObject({ id, object: 'gate_session', status: 'open' });
      const events = await server.call('GET', '/v1/events', { headers: bearer(p.keys.test.secret_key) });
      expect(events.body.data[0]).toEqual(envelope);
      await waitForDelivery(p.keys.test.secret_key, (d) => d.status === 'succeeded');
    }));

  it('sends test events only to the test endpoint and live events only to the live one', () =>
    withReceiver(async (r) => {
      const p = await partnerWithEndpoint(r.url, 'test');
      await createSession(p, 'live');
      await createSession(p, 'test');
      await r.waitFor(1);
      await new Promise((res) => setTimeout(res, 500));
      expect(r.received).toHaveLength(1);
      expect(JSON.parse(r.received[0]!.body).data.mode).toBe('test');
      const liveLog = await server.call('GET', '/portal/webhook-deliveries', {
        headers: bearer(p.keys.live.secret_key),
      });
      expect(liveLog.body.data).toEqual([]);
    }));

  it('retries after a 500 and succeeds, logging every attempt with its status (no excerpt from loopback)', () =>
    withReceiver(async (r) => {
      r.respond((_req, i) => (i === 0 ? { status: 500, body: 'database down' } : { status: 204 }));
      const p = await partnerWithEndpoint(r.url);
      await createSession(p);
      await r.waitFor(2);
      expect(r.received[0]!.headers['x-0bit-event-id']).toBe(r.received[1]!.headers['x-0bit-event-id']);
      expect(r.received[0]!.body).toBe(r.received[1]!.body);
      const sk = p.keys.test.secret_key;
      const done = await waitForDelivery(sk, (d) => d.status === 'succeeded');
      expect(done.attempt_count).toBe(2);
      const detail = await server.call('GET', `/portal/webhook-deliveries/${done.id}`, {
        headers: bearer(sk),
      });
      expect(detail.body.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 204]);
      // The receiver is on 127.0.0.1 (local development): the log keeps its status, never its answer.
      expect(detail.body.attempts[0]).toMatchObject({
        response_body: null,
        trigger: 'automatic',
        url: r.url,
      });
      expect(detail.body.attempts[0].duration_ms).toBeGreaterThanOrEqual(0);
    }));

  it('dead-letters after 5 failed attempts, then a replay delivers the same event id', () =>
    withReceiver(async (r) => {
      r.respond(() => ({ status: 503 }));
      const p = await partnerWithEndpoint(r.url);
      const sessionId = await createSession(p);
      const sk = p.keys.test.secret_key;
      const failed = await waitForDelivery(sk, (d) => d.status === 'failed');
      expect(failed.attempt_count).toBe(5);
      expect(r.received).toHaveLength(5);
      const filtered = await server.call(
        'GET',
        `/portal/webhook-deliveries?status=failed&session_id=${sessionId}&event_type=gate_session.created`,
        {
          headers: bearer(sk),
        },
      );
      expect(filtered.body.data.map((d: { id: string }) => d.id)).toEqual([failed.id]);
      r.respond(() => ({ status: 200 }));
      const replay = await server.call('POST', `/portal/webhook-deliveries/${failed.id}/replay`, {
        headers: bearer(sk),
      });
      expect(replay.status).toBe(202);
      await r.waitFor(6);
      expect(r.received[5]!.headers['x-0bit-event-id']).toBe(r.received[0]!.headers['x-0bit-event-id']);
      const done = await waitForDelivery(sk, (d) => d.status === 'succeeded');
      const detail = await server.call('GET', `/portal/webhook-deliveries/${done.id}`, {
        headers: bearer(sk),
      });
      expect(detail.body.attempts.at(-1)).toMatchObject({ status_code: 200, trigger: 'replay' });
    }));

  it('treats a receiver slower than the timeout as a failure and retries it', () =>
    withReceiver(async (r) => {
      r.respond((_req, i) => (i === 0 ? { status: 200, delayMs: 1500 } : { status: 200 }));
      const p = await partnerWithEndpoint(r.url);
      await createSession(p);
      const done = await waitForDelivery(p.keys.test.secret_key, (d) => d.status === 'succeeded');
      const detail = await server.call('GET', `/portal/webhook-deliveries/${done.id}`, {
        headers: bearer(p.keys.test.secret_key),
      });
      expect(detail.body.attempts[0].error).toContain('timed out');
      expect(detail.body.attempts[0].status_code).toBeNull();
      expect(detail.body.attempts[1].status_code).toBe(200);
    }));

  it('does not follow redirects', () =>
    withReceiver(async (r) => {
      r.respond((_req, i) =>
        i === 0 ? { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } } : { status: 200 },
      );
      const p = await partnerWithEndpoint(r.url);
      await createSession(p);
      const done = await waitForDelivery(p.keys.test.secret_key, (d) => d.status === 'succeeded');
      const detail = await server.call('GET', `/portal/webhook-deliveries/${done.id}`, {
        headers: bearer(p.keys.test.secret_key),
      });
      expect(detail.body.attempts[0]).toMatchObject({ status_code: 302 });
      expect(detail.body.attempts[0].error).toContain('not followed');
    }));

  it('keeps one partner’s dead endpoint from delaying another partner', () =>
    withReceiver(async (good) => {
      const slowPartner = await partnerWithEndpoint('http://127.0.0.1:9/unreachable');
      for (let i = 0; i < 5; i++) await createSession(slowPartner);
      const p = await partnerWithEndpoint(good.url);
      const started = Date.now();
      await createSession(p);
      const [hit] = await good.waitFor(1);
      expect(hit!.at - started).toBeLessThan(2000);
    }));
});

describe('every event flows', () => {
  it('delivers gate_session.expired from the background sweep, without any read of the session', () =>
    withReceiver(async (r) => {
      const p = await partnerWithEndpoint(r.url);
      const res = await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(p.keys.test.secret_key),
        body: { ...SPEC_CREATE_BODY, expires_at: new Date(Date.now() + 1500).toISOString() },
      });
      await r.waitFor(1);
      await new Promise((done) => setTimeout(done, 1700));
      expect(await expireDue(server.database.db, null)).toBeGreaterThanOrEqual(1);
      const [, expired] = await r.waitFor(2);
      const envelope = JSON.parse(expired!.body);
      expect(envelope.type).toBe('gate_session.expired');
      expect(envelope.data).toMatchObject({ id: res.body.id, status: 'expired' });
      expect(verifiedByOpenssl(String(expired!.headers['gate-signature']), expired!.body, p.secret)).toBe(
        true,
      );
    }));

  it('delivers cancelled, completed with tx_refid, and a redacted kyc_package_accepted', () =>
    withReceiver(async (r) => {
      const p = await server.partner({ kyc_trusted: true });
      const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
        headers: bearer(p.keys.test.secret_key),
        body: { url: r.url },
      });
      const sk = p.keys.test.secret_key;
      const pii = `passport-${randomUUID()}`;
      const a = await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(sk),
        body: { ...SPEC_CREATE_BODY, kyc_package: { provider: 'sumsub', document: pii } },
      });
      const b = await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(sk),
        body: SPEC_CREATE_BODY,
      });
      await server.call('POST', `/v1/gate_sessions/${a.body.id}/cancel`, { headers: writeHeaders(sk) });
      await server.call('POST', `/v1/test_helpers/sessions/${b.body.id}/complete`, { headers: bearer(sk) });
      await r.waitFor(5);
      const byType = Object.fromEntries(
        r.received.map((x) => [String(x.headers['x-0bit-event-type']), JSON.parse(x.body)]),
      );
      expect(Object.keys(byType).sort()).toEqual([
        'gate_session.cancelled',
        'gate_session.completed',
        'gate_session.created',
        'gate_session.kyc_package_accepted',
      ]);
      expect(byType['gate_session.completed'].data.tx_refid).toMatch(/^0x[0-9a-f]{64}$/);
      expect(byType['gate_session.kyc_package_accepted'].data).toMatchObject({
        session_id: a.body.id,
        provider: 'sumsub',
      });
      for (const x of r.received) {
        expect(x.body).not.toContain(pii);
        expect(verifiedByOpenssl(String(x.headers['gate-signature']), x.body, endpoint.body.secret)).toBe(
          true,
        );
      }
    }));
});

const secretRows = (partnerId: string) =>
  server.database.db
    .selectFrom('webhook_secrets')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('mode', '=', 'test')
    .where('source', '=', 'gate')
    .execute();

describe('secret rotation', () => {
  it('signs with both secrets during the overlap, so receivers holding either verify; 0 ends it now', () =>
    withReceiver(async (r) => {
      const p = await partnerWithEndpoint(r.url);
      const sk = p.keys.test.secret_key;
      const rotated = await server.call('POST', '/portal/webhook-secret/rotate', {
        headers: writeHeaders(sk),
        body: {},
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
      expect(rotated.body.secret).not.toBe(p.secret);
      const overlapEnds = Date.parse(rotated.body.previous_expires_at) - Date.now();
      expect(overlapEnds).toBeGreaterThan(23.9 * 3600_000);
      await createSession(p);
      const [during] = await r.waitFor(1);
      const header = String(during!.headers['gate-signature']);
      expect(header.split(',').filter((x) => x.startsWith('v1='))).toHaveLength(2);
      expect(verifiedByOpenssl(header, during!.body, p.secret)).toBe(true);
      expect(verifiedByOpenssl(header, during!.body, rotated.body.secret)).toBe(true);

      const again = await server.call('POST', '/portal/webhook-secret/rotate', {
        headers: writeHeaders(sk),
        body: { expire_previous_in: 0 },
      });
      await createSession(p);
      const [, after] = await r.waitFor(2);
      const afterHeader = String(after!.headers['gate-signature']);
      expect(afterHeader.split(',').filter((x) => x.startsWith('v1='))).toHaveLength(1);
      expect(verifiedByOpenssl(afterHeader, after!.body, again.body.secret)).toBe(true);
      expect(verifiedByOpenssl(afterHeader, after!.body, rotated.body.secret)).toBe(false);
    }));

  // Issue #14 (attack round 2): on PostgreSQL 8 concurrent rotations left 8 current secrets for good.
  it('concurrent rotations: every call 200 with a secret that signs, exactly one current', async () => {
    const p = await partnerWithEndpoint(receiver.url);
    const sk = p.keys.test.secret_key;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        server.call('POST', '/portal/webhook-secret/rotate', { headers: writeHeaders(sk), body: {} }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const rows = await secretRows(p.partner.id);
    expect(rows.filter((row) => row.expires_at === null)).toHaveLength(1);
    expect(rows).toHaveLength(9);
    const signing = new Set(rows.map((row) => server.box.open(row.secret_sealed)));
    for (const answer of answers) expect(signing.has(answer.body.secret)).toBe(true);
  });

  it('concurrent first PUTs of the endpoint create one secret, shown once', async () => {
    const p = await server.partner();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.call('PUT', '/portal/webhook-endpoint', {
          headers: bearer(p.keys.test.secret_key),
          body: { url: receiver.url },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.filter((a) => a.body.secret !== undefined)).toHaveLength(1);
    const rows = await secretRows(p.partner.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.expires_at).toBeNull();
  });

  it('needs an endpoint first, and an Idempotency-Key', async () => {
    const p = await server.partner();
    const noKey = await server.call('POST', '/portal/webhook-secret/rotate', {
      headers: { ...bearer(p.keys.test.secret_key), 'idempotency-key': undefined },
      body: {},
    });
    expect(noKey.status).toBe(400);
    const none = await server.call('POST', '/portal/webhook-secret/rotate', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: {},
    });
    expect(none.status).toBe(409);
  });
});

describe('delivery log scope', () => {
  it('answers 404 for another partner’s delivery and for a malformed id', async () => {
    const a = await partnerWithEndpoint(receiver.url);
    await createSession(a);
    const mine = await waitForDelivery(a.keys.test.secret_key, () => true);
    const b = await server.partner();
    for (const [key, id] of [
      [b.keys.test.secret_key, mine.id],
      [a.keys.live.secret_key, mine.id],
      [a.keys.test.secret_key, randomUUID()],
      [a.keys.test.secret_key, 'nope'],
    ] as const) {
      expect(
        (await server.call('GET', `/portal/webhook-deliveries/${id}`, { headers: bearer(key) })).status,
      ).toBe(404);
      expect(
        (await server.call('POST', `/portal/webhook-deliveries/${id}/replay`, { headers: bearer(key) }))
          .status,
      ).toBe(404);
    }
  });
});
