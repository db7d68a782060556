import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();

async function openSession(sk: string) {
  return (
    await server.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body: SPEC_CREATE_BODY })
  ).body.id as string;
}

describe('POST /v1/test_helpers/sessions/{id}/complete', () => {
  it('completes an open test session and emits gate_session.completed with a simulated tx_refid', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const id = await openSession(sk);
    const res = await server.call('POST', `/v1/test_helpers/sessions/${id}/complete`, {
      headers: bearer(sk),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'completed', object: 'gate_session' });
    const events = await server.call('GET', '/v1/events?type=gate_session.completed', {
      headers: bearer(sk),
    });
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0].data.tx_refid).toMatch(/^0x[0-9a-f]{64}$/);
    const again = await server.call('POST', `/v1/test_helpers/sessions/${id}/complete`, {
      headers: bearer(sk),
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('already completed');
    const cancel = await server.call('POST', `/v1/gate_sessions/${id}/cancel`, { headers: writeHeaders(sk) });
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toContain('already completed');
  });

  it('refuses live keys with 403 and publishable keys with 403', async () => {
    const { keys } = await server.partner();
    const liveId = await openSession(keys.live.secret_key);
    const live = await server.call('POST', `/v1/test_helpers/sessions/${liveId}/complete`, {
      headers: bearer(keys.live.secret_key),
    });
    expect(live.status).toBe(403);
    expect(live.body.message).toContain('only in test mode');
    const read = await server.call('GET', `/v1/gate_sessions/${liveId}`, {
      headers: bearer(keys.live.secret_key),
    });
    expect(read.body.status).toBe('open');
    const pk = await server.call('POST', `/v1/test_helpers/sessions/${liveId}/complete`, {
      headers: bearer(keys.test.publishable_key),
    });
    expect(pk.status).toBe(403);
  });

  it('answers 404 for another partner’s session', async () => {
    const a = await server.partner();
    const b = await server.partner();
    const id = await openSession(a.keys.test.secret_key);
    const res = await server.call('POST', `/v1/test_helpers/sessions/${id}/complete`, {
      headers: bearer(b.keys.test.secret_key),
    });
    expect(res.status).toBe(404);
  });
});

describe('POST /v1/test_helpers/sessions/{id}/fail', () => {
  it('records a failed intent while the session stays open, emitting no event', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const id = await openSession(sk);
    const res = await server.call('POST', `/v1/test_helpers/sessions/${id}/fail`, { headers: bearer(sk) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'gate_intent', session_id: id, status: 'failed' });
    const read = await server.call('GET', `/v1/gate_sessions/${id}`, { headers: bearer(sk) });
    expect(read.body.status).toBe('open');
    const events = await server.call('GET', '/v1/events', { headers: bearer(sk) });
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['gate_session.created']);
    const intents = await server.database.db
      .selectFrom('session_intents')
      .selectAll()
      .where('session_id', '=', id)
      .execute();
    expect(intents.map((i) => i.status)).toEqual(['failed']);
  });

  it('answers 409 on a terminal session and 403 in live mode', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const id = await openSession(sk);
    await server.call('POST', `/v1/gate_sessions/${id}/cancel`, { headers: writeHeaders(sk) });
    expect(
      (await server.call('POST', `/v1/test_helpers/sessions/${id}/fail`, { headers: bearer(sk) })).status,
    ).toBe(409);
    const liveId = await openSession(keys.live.secret_key);
    expect(
      (
        await server.call('POST', `/v1/test_helpers/sessions/${liveId}/fail`, {
          headers: bearer(keys.live.secret_key),
        })
      ).status,
    ).toBe(403);
  });
});
