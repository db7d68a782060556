import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();

describe('Idempotency-Key', () => {
  it('is required on create and cancel, and must be a UUID', async () => {
    const { keys } = await server.partner();
    const missing = await server.call('POST', '/v1/gate_sessions', {
      headers: { ...bearer(keys.test.secret_key), 'idempotency-key': undefined },
      body: SPEC_CREATE_BODY,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('Idempotency-Key header is required');
    const malformed = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key, 'order-42'),
      body: SPEC_CREATE_BODY,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toContain('must be a UUID');
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    const cancel = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: { ...bearer(keys.test.secret_key), 'idempotency-key': undefined },
    });
    expect(cancel.status).toBe(400);
    expect(cancel.body.message).toContain('Idempotency-Key');
  });

  it('replays the original status and body (client_secret included) with Idempotent-Replayed: true', async () => {
    const { partner, keys } = await server.partner();
    const headers = writeHeaders(keys.test.secret_key);
    const first = await server.call('POST', '/v1/gate_sessions', { headers, body: SPEC_CREATE_BODY });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Same body with keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(SPEC_CREATE_BODY).reverse());
    const second = await server.call('POST', '/v1/gate_sessions', { headers, body: reordered });
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.headers['request-id']).not.toBe(first.headers['request-id']);
    expect(await server.sessionCount(partner.id)).toBe(1);
  });

  it('refuses the same key with a different body with 422, creating nothing', async () => {
    const { partner, keys } = await server.partner();
    const headers = writeHeaders(keys.test.secret_key);
    await server.call('POST', '/v1/gate_sessions', { headers, body: SPEC_CREATE_BODY });
    const other = await server.call('POST', '/v1/gate_sessions', {
      headers,
      body: { ...SPEC_CREATE_BODY, amount: '200.00' },
    });
    expect(other.status).toBe(422);
    expect(other.body.message[0]).toContain('already used with a different request');
    expect(await server.sessionCount(partner.id)).toBe(1);
  });

  it('refuses reusing a create key on another endpoint', async () => {
    const { keys } = await server.partner();
    const key = randomUUID();
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key, key),
      body: SPEC_CREATE_BODY,
    });
    const cancel = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: writeHeaders(keys.test.secret_key, key),
    });
    expect(cancel.status).toBe(422);
  });

  it('runs 50 concurrent creates with one key as exactly one session, every answer identical', async () => {
    const { partner, keys } = await server.partner();
    const headers = writeHeaders(keys.test.secret_key);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        server.call('POST', '/v1/gate_sessions', { headers, body: SPEC_CREATE_BODY }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const ok = answers.filter((a) => a.status === 201);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((a) => a.body.id)).size).toBe(1);
    expect(new Set(ok.map((a) => a.body.client_secret)).size).toBe(1);
    expect(ok.filter((a) => a.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await server.sessionCount(partner.id)).toBe(1);
    const events = await server.call('GET', '/v1/events', { headers: bearer(keys.test.secret_key) });
    expect(events.body.data.filter((e: { type: string }) => e.type === 'gate_session.created')).toHaveLength(
      1,
    );
  });

  it('is scoped per partner and per mode: the same key elsewhere is a new request', async () => {
    const a = await server.partner();
    const b = await server.partner();
    const key = randomUUID();
    const results = [];
    for (const sk of [a.keys.test.secret_key, a.keys.live.secret_key, b.keys.test.secret_key])
      results.push(
        await server.call('POST', '/v1/gate_sessions', {
          headers: writeHeaders(sk, key),
          body: SPEC_CREATE_BODY,
        }),
      );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(results.every((r) => r.headers['idempotent-replayed'] === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(3);
  });

  it('replays a domain error (409 on cancel of a terminal session) instead of re-running it', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: SPEC_CREATE_BODY,
    });
    await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, { headers: writeHeaders(sk) });
    const key = randomUUID();
    const first = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: writeHeaders(sk, key),
    });
    expect(first.status).toBe(409);
    const again = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: writeHeaders(sk, key),
    });
    expect(again.status).toBe(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('does not store a 422 of the rules either (amount "abc"): invalid input is never stored, whoever finds it', async () => {
    const { keys } = await server.partner();
    const headers = writeHeaders(keys.test.secret_key);
    const bad = await server.call('POST', '/v1/gate_sessions', {
      headers,
      body: { ...SPEC_CREATE_BODY, amount: 'abc' },
    });
    expect(bad.status).toBe(422);
    const good = await server.call('POST', '/v1/gate_sessions', { headers, body: SPEC_CREATE_BODY });
    expect(good.status).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('does not store schema validation failures: the corrected retry with the same key goes through', async () => {
    const { keys } = await server.partner();
    const headers = writeHeaders(keys.test.secret_key);
    const bad = await server.call('POST', '/v1/gate_sessions', {
      headers,
      body: { ...SPEC_CREATE_BODY, amount: 100 },
    });
    expect(bad.status).toBe(422);
    const good = await server.call('POST', '/v1/gate_sessions', { headers, body: SPEC_CREATE_BODY });
    expect(good.status).toBe(201);
  });

  it('keeps stored responses encrypted at rest', async () => {
    const { partner, keys } = await server.partner();
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    const rows = await server.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('partner_id', '=', partner.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.body.client_secret);
  });
});
