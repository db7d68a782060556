import http from 'node:http';
import net from 'node:net';
import { SPEC_CREATE_BODY, useTestServer } from '@0bit/api/test-support/server';
import { startReceiver } from '@0bit/testing/receiver';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import {
  ConflictError,
  ConnectionError,
  DEFAULT_BASE_URL,
  GateClient,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  SignatureVerificationError,
  TimeoutError,
} from '../src/node/index.ts';

const server = useTestServer({ webhooks: {} });

describe('GateClient against the real API', () => {
  it('creates, retrieves, lists (every page), cancels, and types the 409 on a second cancel', async () => {
    const { keys, partner } = await server.partner();
    const gate = new GateClient({ apiKey: keys.test.secret_key, baseUrl: `${server.baseUrl}///` });
    const created = await gate.sessions.create(SPEC_CREATE_BODY as never);
    expect(created.client_secret).toMatch(/^gsec_/);
    expect(created.partner_id).toBe(partner.id);
    expect((await gate.sessions.retrieve(created.id)).status).toBe('open');
    for (let i = 0; i < 4; i++)
      await gate.sessions.create({ amount: '10', currency: 'EUR', return_url: 'https://partner.example/x' });
    const page = await gate.sessions.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const s of gate.sessions.list({ limit: 2 })) all.push(s.id);
    expect(all).toHaveLength(5);
    expect(new Set(all).size).toBe(5);
    expect((await gate.sessions.cancel(created.id)).status).toBe('cancelled');
    const error = await gate.sessions.cancel(created.id).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(error.requestId).toMatch(/^req_/);
    expect(error.message).toContain('already cancelled');
    expect(error.raw).toMatchObject({ statusCode: 409 });
  });

  it('maps other statuses to their classes, with the field messages of a 422', async () => {
    const { keys } = await server.partner();
    const gate = new GateClient({ apiKey: keys.test.secret_key, baseUrl: server.baseUrl, maxRetries: 0 });
    const invalid = await gate.sessions
      .create({ amount: '1.001', currency: 'eur', return_url: 'x' })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect(Array.isArray(invalid.messages)).toBe(true);
    expect(await gate.sessions.retrieve('ffffffffffffffffffffffff').catch((e) => e)).toBeInstanceOf(
      NotFoundError,
    );
    const pk = new GateClient({ apiKey: keys.test.publishable_key, baseUrl: server.baseUrl });
    expect(await pk.sessions.retrieve('ffffffffffffffffffffffff').catch((e) => e)).toBeInstanceOf(
      PermissionError,
    );
  });

  it('bootstraps an embed token with an allowed Origin, and completes with the sandbox helper', async () => {
    const { keys } = await server.partner();
    const gate = new GateClient({ apiKey: keys.test.secret_key, baseUrl: server.baseUrl });
    const session = await gate.sessions.create(SPEC_CREATE_BODY as never);
    const boot = await gate.embed.bootstrap({
      publishableKey: keys.test.publishable_key,
      origin: 'https://partner.example',
      clientSecret: session.client_secret,
    });
    expect(boot).toMatchObject({ session_id: session.id, mode: 'test', available: true });
    const refused = await gate.embed
      .bootstrap({ publishableKey: keys.test.publishable_key, origin: 'https://evil.example' })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(PermissionError);
    expect((await gate.testHelpers.sessions.complete(session.id)).status).toBe('completed');
  });

  it('sends an Idempotency-Key on the sandbox helpers: a retry with the same key answers the first result', async () => {
    const { keys } = await server.partner();
    const gate = new GateClient({ apiKey: keys.test.secret_key, baseUrl: server.baseUrl });
    const session = await gate.sessions.create(SPEC_CREATE_BODY as never);
    const idempotencyKey = crypto.randomUUID();
    const first = await gate.testHelpers.sessions.complete(session.id, { idempotencyKey });
    expect(first.status).toBe('completed');
    // Without the stored answer this would be a 409 "already completed".
    expect(await gate.testHelpers.sessions.complete(session.id, { idempotencyKey })).toEqual(first);
    expect(await gate.testHelpers.sessions.complete(session.id).catch((e) => e)).toBeInstanceOf(
      ConflictError,
    );
  });

  it('verifies a webhook from the real worker with constructEvent', async () => {
    const receiver = await startReceiver();
    try {
      const { keys } = await server.partner();
      const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
        headers: { authorization: `Bearer ${keys.test.secret_key}` },
        body: { url: receiver.url },
      });
      const gate = new GateClient({ apiKey: keys.test.secret_key, baseUrl: server.baseUrl });
      const session = await gate.sessions.create(SPEC_CREATE_BODY as never);
      await gate.testHelpers.sessions.complete(session.id);
      const [, completed] = await receiver.waitFor(2);
      const event = gate.webhooks.constructEvent(
        completed!.body,
        completed!.headers['gate-signature'],
        endpoint.body.secret,
      );
      expect(event.type).toBe('gate_session.completed');
      if (event.type === 'gate_session.completed') expect(event.data.tx_refid).toMatch(/^0x/);
      expect(() =>
        gate.webhooks.constructEvent(
          completed!.body,
          completed!.headers['gate-signature'],
          `whsec_${'x'.repeat(32)}`,
        ),
      ).toThrow(SignatureVerificationError);
      expect(() =>
        gate.webhooks.constructEvent(
          JSON.parse(completed!.body),
          completed!.headers['gate-signature'],
          endpoint.body.secret,
        ),
      ).toThrow(/raw request body/);
      expect(() =>
        gate.webhooks.constructEvent(
          completed!.body,
          completed!.headers['gate-signature'],
          endpoint.body.secret,
          -1,
        ),
      ).toThrow(/tolerance/);
    } finally {
      await receiver.close();
    }
  });
});

describe('GateClient basics', () => {
  it('defaults to the production origin, sends its own version, and needs a key', () => {
    expect(DEFAULT_BASE_URL).toBe('https://gate-api.0bit.app');
    expect(new GateClient({ apiKey: 'sk_test_x' }).baseUrl).toBe(DEFAULT_BASE_URL);
    expect(() => new GateClient({} as never)).toThrow('apiKey');
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

/** A scripted proxy in front of the real API: each attempt's fate is chosen by the test. */
async function faultProxy(
  target: string,
  script: Array<'forward' | 'forward-then-500' | '500' | '429' | 'hang'>,
) {
  const seen: Array<{ key: string | undefined; at: number; agent: string | undefined }> = [];
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      seen.push({
        key: req.headers['idempotency-key'] as string | undefined,
        at: Date.now(),
        agent: req.headers['user-agent'],
      });
      const step = script[seen.length - 1] ?? 'forward';
      if (step === 'hang') return;
      if (step === '500')
        return res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"statusCode":500,"message":"boom","error":"Internal Server Error"}');
      if (step === '429')
        return res
          .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
          .end('{"statusCode":429,"message":"slow down","error":"Too Many Requests"}');
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
        ) as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const text = await upstream.text();
      if (step === 'forward-then-500')
        return res.writeHead(500).end('{"statusCode":500,"message":"lost","error":"Internal Server Error"}');
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    seen,
    close: () => {
      proxy.closeAllConnections();
      proxy.close();
    },
  };
}

describe('retries against a fault server', () => {
  let sk = '';
  let partnerId = '';
  beforeAll(async () => {
    const p = await server.partner();
    sk = p.keys.test.secret_key;
    partnerId = p.partner.id;
  });

  it('retries a 500 after the server already created the session: same Idempotency-Key, exactly one session', async () => {
    const before = await server.sessionCount(partnerId);
    const proxy = await faultProxy(server.baseUrl, ['forward-then-500', 'forward']);
    try {
      const gate = new GateClient({ apiKey: sk, baseUrl: proxy.url });
      const session = await gate.sessions.create(SPEC_CREATE_BODY as never);
      expect(proxy.seen).toHaveLength(2);
      expect(proxy.seen[0]!.key).toBeTruthy();
      expect(proxy.seen[1]!.key).toBe(proxy.seen[0]!.key);
      expect(proxy.seen[0]!.agent).toBe(`gate-node/${pkg.version}`);
      expect(proxy.seen[1]!.at - proxy.seen[0]!.at).toBeGreaterThanOrEqual(240);
      expect(await server.sessionCount(partnerId)).toBe(before + 1);
      expect(session.client_secret).toMatch(/^gsec_/);
    } finally {
      proxy.close();
    }
  });

  it('honours Retry-After on a 429', async () => {
    const proxy = await faultProxy(server.baseUrl, ['429', 'forward']);
    try {
      const gate = new GateClient({ apiKey: sk, baseUrl: proxy.url });
      await gate.sessions.list();
      expect(proxy.seen[1]!.at - proxy.seen[0]!.at).toBeGreaterThanOrEqual(950);
    } finally {
      proxy.close();
    }
  });

  it('gives up after maxRetries with the last error typed: 429, a hang past the timeout', async () => {
    const limited = await faultProxy(server.baseUrl, ['429', '429']);
    try {
      const gate = new GateClient({ apiKey: sk, baseUrl: limited.url, maxRetries: 1 });
      expect(await gate.sessions.list().catch((e) => e)).toBeInstanceOf(RateLimitError);
      expect(limited.seen).toHaveLength(2);
    } finally {
      limited.close();
    }
    const hanging = await faultProxy(server.baseUrl, ['hang', 'hang', 'hang']);
    try {
      const gate = new GateClient({ apiKey: sk, baseUrl: hanging.url, timeoutMs: 300 });
      const started = Date.now();
      const error = await gate.sessions.create(SPEC_CREATE_BODY as never).catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(hanging.seen).toHaveLength(3);
      expect(new Set(hanging.seen.map((s) => s.key)).size).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      hanging.close();
    }
  });

  it('reports a refused connection as ConnectionError after retrying, and maxRetries: 0 tries once', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const gate = new GateClient({ apiKey: sk, baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1 });
    expect(await gate.sessions.list().catch((e) => e)).toBeInstanceOf(ConnectionError);
    const once = await faultProxy(server.baseUrl, ['500', 'forward']);
    try {
      const gate0 = new GateClient({ apiKey: sk, baseUrl: once.url, maxRetries: 0 });
      await gate0.sessions.list().catch(() => {});
      expect(once.seen).toHaveLength(1);
    } finally {
      once.close();
    }
  });
});
