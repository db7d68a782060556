import { randomUUID } from 'node:crypto';
import type { RawResponse } from '@0bit/testing/http';
import { describe, expect, it } from 'vitest';
import { documentedOperations } from '../src/app.ts';
import { bearer, SPEC_CREATE_BODY, type TestPartner, useTestServer, writeHeaders } from './support/server.ts';

/**
 * The glossary: "Writes require an Idempotency-Key UUID". Every partner write (sessions, portal, branding,
 * webhooks, sandbox test helpers) answers a missing key with 400 and changes nothing, replays the same key +
 * request with Idempotent-Replayed: true and one effect, and refuses the same key on another request (422).
 */
const server = useTestServer();

interface Write {
  method: string;
  path: string;
  body?: unknown;
}
interface Case {
  name: string;
  /** Builds a partner in the state the write needs; `other` is a different request for the 422 check. */
  setup(p: TestPartner): Promise<{ write: Write; other: Write }>;
  /** What a second effect would change, read from the API or the database. */
  state(p: TestPartner): Promise<unknown>;
}

const sk = (p: TestPartner) => p.keys.test.secret_key;
const noKey = (p: TestPartner) => ({ ...bearer(sk(p)), 'idempotency-key': undefined });
const get = async (p: TestPartner, path: string) =>
  (await server.call('GET', path, { headers: bearer(sk(p)) })).body;

async function openSession(p: TestPartner): Promise<string> {
  const res = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(sk(p)),
    body: SPEC_CREATE_BODY,
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function withEndpoint(p: TestPartner) {
  const res = await server.call('PUT', '/portal/webhook-endpoint', {
    headers: writeHeaders(sk(p)),
    body: { url: 'http://127.0.0.1:9/hooks' },
  });
  expect(res.status).toBe(200);
}

async function delivery(p: TestPartner): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const list = await get(p, '/portal/webhook-deliveries');
    if (list.data?.length) return list.data[0].id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no delivery');
}

const rows = async (table: 'events' | 'session_intents' | 'api_keys', column: string, value: string) =>
  (
    await server.database.db
      .selectFrom(table)
      // biome-ignore lint/suspicious/noExplicitAny: one counter over three tables.
      .select('id' as any)
      // biome-ignore lint/suspicious/noExplicitAny: one counter over three tables.
      .where(column as any, '=', value)
      .execute()
  ).length;

const cases: Case[] = [
  {
    name: 'POST /v1/gate_sessions',
    setup: async () => ({
      write: { method: 'POST', path: '/v1/gate_sessions', body: SPEC_CREATE_BODY },
      other: { method: 'POST', path: '/v1/gate_sessions', body: { ...SPEC_CREATE_BODY, amount: '7.00' } },
    }),
    state: async (p) => server.sessionCount(p.partner.id),
  },
  {
    name: 'POST /v1/gate_sessions/:id/cancel',
    setup: async (p) => ({
      write: { method: 'POST', path: `/v1/gate_sessions/${await openSession(p)}/cancel` },
      other: { method: 'POST', path: `/v1/gate_sessions/${await openSession(p)}/cancel` },
    }),
    state: async (p) => (await get(p, '/v1/gate_sessions')).data.map((s: { status: string }) => s.status),
  },
  {
    name: 'POST /portal/keys',
    setup: async () => ({
      write: { method: 'POST', path: '/portal/keys', body: { type: 'secret' } },
      other: { method: 'POST', path: '/portal/keys', body: { type: 'publishable' } },
    }),
    state: async (p) => rows('api_keys', 'partner_id', p.partner.id),
  },
  {
    name: 'POST /portal/keys/:id/revoke (roll)',
    setup: async (p) => {
      const keys = (await get(p, '/portal/keys')).data as { id: string; type: string }[];
      const pk = keys.find((k) => k.type === 'publishable')!;
      return {
        write: { method: 'POST', path: `/portal/keys/${pk.id}/revoke`, body: { expires_in: 3600 } },
        other: { method: 'POST', path: `/portal/keys/${pk.id}/revoke`, body: { expires_in: 60 } },
      };
    },
    state: async (p) => (await get(p, '/portal/keys')).data,
  },
  {
    name: 'PUT /portal/allowed-domains',
    setup: async () => ({
      write: {
        method: 'PUT',
        path: '/portal/allowed-domains',
        body: { allowed_domains: ['https://a.example'] },
      },
      other: {
        method: 'PUT',
        path: '/portal/allowed-domains',
        body: { allowed_domains: ['https://b.example'] },
      },
    }),
    state: async (p) => get(p, '/portal/allowed-domains'),
  },
  {
    name: 'PATCH /v1/branding',
    setup: async () => ({
      write: { method: 'PATCH', path: '/v1/branding', body: { brand_name: 'Shop' } },
      other: { method: 'PATCH', path: '/v1/branding', body: { brand_name: 'Other' } },
    }),
    state: async (p) => get(p, '/v1/branding'),
  },
  {
    name: 'PUT /portal/webhook-endpoint',
    setup: async () => ({
      write: { method: 'PUT', path: '/portal/webhook-endpoint', body: { url: 'http://127.0.0.1:9/a' } },
      other: { method: 'PUT', path: '/portal/webhook-endpoint', body: { url: 'http://127.0.0.1:9/b' } },
    }),
    state: async (p) => get(p, '/portal/webhook-endpoint'),
  },
  {
    name: 'POST /portal/webhook-secret/rotate',
    setup: async (p) => {
      await withEndpoint(p);
      return {
        write: { method: 'POST', path: '/portal/webhook-secret/rotate', body: { expire_previous_in: 60 } },
        other: { method: 'POST', path: '/portal/webhook-secret/rotate', body: { expire_previous_in: 0 } },
      };
    },
    state: async (p) => get(p, '/portal/webhook-endpoint'),
  },
  {
    name: 'POST /portal/webhook-deliveries/:id/replay',
    setup: async (p) => {
      await withEndpoint(p);
      await openSession(p);
      const first = await delivery(p);
      await openSession(p);
      const ids = ((await get(p, '/portal/webhook-deliveries')).data as { id: string }[]).map((d) => d.id);
      const second = ids.find((id) => id !== first)!;
      return {
        write: { method: 'POST', path: `/portal/webhook-deliveries/${first}/replay` },
        other: { method: 'POST', path: `/portal/webhook-deliveries/${second}/replay` },
      };
    },
    state: async (p) =>
      ((await get(p, '/portal/webhook-deliveries')).data as { id: string; next_attempt_at: string }[]).map(
        (d) => [d.id, d.next_attempt_at],
      ),
  },
  ...(['complete', 'fail', 'require_kyc'] as const).map(
    (helper): Case => ({
      name: `POST /v1/test_helpers/sessions/:id/${helper}`,
      setup: async (p) => ({
        write: { method: 'POST', path: `/v1/test_helpers/sessions/${await openSession(p)}/${helper}` },
        other: { method: 'POST', path: `/v1/test_helpers/sessions/${await openSession(p)}/${helper}` },
      }),
      state: async (p) => ({
        sessions: (await get(p, '/v1/gate_sessions')).data.map((s: { status: string }) => s.status),
        events: await rows('events', 'partner_id', p.partner.id),
        intents: await Promise.all(
          (await get(p, '/v1/gate_sessions')).data.map((s: { id: string }) =>
            rows('session_intents', 'session_id', s.id),
          ),
        ),
      }),
    }),
  ),
];

const send = (w: Write, headers: Record<string, string | undefined>): Promise<RawResponse> =>
  server.call(w.method, w.path, { headers, ...(w.body === undefined ? {} : { body: w.body }) });

describe.each(cases)('$name', (c) => {
  it('answers 400 without an Idempotency-Key, changing nothing', async () => {
    const p = await server.partner();
    const { write } = await c.setup(p);
    const before = await c.state(p);
    const res = await send(write, noKey(p));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toContain('Idempotency-Key header is required');
    expect(await c.state(p)).toEqual(before);
  });

  it('replays the same key and request: the original answer, Idempotent-Replayed: true, one effect', async () => {
    const p = await server.partner();
    const { write } = await c.setup(p);
    const headers = writeHeaders(sk(p));
    const first = await send(write, headers);
    expect(first.status).toBeLessThan(300);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const after = await c.state(p);
    const again = await send(write, headers);
    expect(again.status).toBe(first.status);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await c.state(p)).toEqual(after);
  });

  it('refuses the same key on another request with 422, changing nothing', async () => {
    const p = await server.partner();
    const { write, other } = await c.setup(p);
    const key = randomUUID();
    expect((await send(write, writeHeaders(sk(p), key))).status).toBeLessThan(300);
    const before = await c.state(p);
    const res = await send(other, writeHeaders(sk(p), key));
    expect(res.status).toBe(422);
    expect(res.body.message[0]).toContain('already used with a different request');
    expect(await c.state(p)).toEqual(before);
  });
});

describe('concurrent writes with one key', () => {
  it.each([
    'complete',
    'require_kyc',
  ])('run a sandbox %s once: every answer identical, one event', async (helper) => {
    const p = await server.partner();
    const id = await openSession(p);
    const eventsBefore = await rows('events', 'partner_id', p.partner.id);
    const headers = writeHeaders(sk(p));
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        server.call('POST', `/v1/test_helpers/sessions/${id}/${helper}`, { headers }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    // A request that finds the first still running may get 409 "still being processed"; none runs twice.
    for (const a of answers)
      if (a.status !== 200) {
        expect(a.status).toBe(409);
        expect(a.body.message).toContain('still being processed');
      }
    expect(ok.length).toBeGreaterThan(0);
    for (const a of ok) expect(a.body).toEqual(ok[0]!.body);
    expect(await rows('events', 'partner_id', p.partner.id)).toBe(eventsBefore + 1);
  });

  it('set the webhook endpoint once: the secret is the same in every answer', async () => {
    const p = await server.partner();
    const headers = writeHeaders(sk(p));
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        server.call('PUT', '/portal/webhook-endpoint', { headers, body: { url: 'http://127.0.0.1:9/x' } }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    for (const a of ok) expect(a.body.secret).toMatch(/^whsec_/);
    expect(new Set(ok.map((a) => a.body.secret)).size).toBe(1);
  });
});

describe('OpenAPI', () => {
  it('declares the Idempotency-Key header on every write route', async () => {
    const doc = (await server.call('GET', '/v1/openapi.json')).body;
    const writes: string[] = [];
    for (const { method, path, operation } of documentedOperations(doc)) {
      const op = operation as { parameters?: { in: string; name: string; required?: boolean }[] };
      if (method === 'GET' || path.startsWith('/admin') || path.startsWith('/v1/embed')) continue;
      writes.push(`${method} ${path}`);
      const header = op.parameters?.find(
        (x) => x.in === 'header' && x.name.toLowerCase() === 'idempotency-key',
      );
      expect(header, `${method} ${path}`).toBeDefined();
    }
    expect(writes).toEqual(
      expect.arrayContaining([
        'PUT /portal/allowed-domains',
        'PUT /portal/webhook-endpoint',
        'POST /portal/webhook-deliveries/{id}/replay',
      ]),
    );
  });
});
