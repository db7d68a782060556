import { describe, expect, it } from 'vitest';
import { expireDue } from '../src/domain/sessions.ts';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

// A few seconds of life: long enough that a loaded CI machine still creates it before its deadline; the tests
// then wait until just past the deadline the session was given, not a fixed time.
const deadlines = new Map<string, number>();
async function shortSession(sk: string, lifetimeMs = 4000) {
  const expiresAt = Date.now() + lifetimeMs;
  const res = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(sk),
    body: { ...SPEC_CREATE_BODY, expires_at: new Date(expiresAt).toISOString() },
  });
  expect(res.status).toBe(201);
  deadlines.set(res.body.id, expiresAt);
  return res.body.id as string;
}

const pastDeadlineOf = (id: string) => sleep(Math.max(0, deadlines.get(id)! + 200 - Date.now()));

async function eventsOf(sk: string, type: string) {
  const res = await server.call('GET', `/v1/events?type=${type}&limit=100`, { headers: bearer(sk) });
  return res.body.data as Array<{ data: { id: string; status: string } }>;
}

describe('lazy expiry', () => {
  // Each test below waits a few seconds for its session's deadline. The sweep expires every partner's due
  // sessions, so it runs first and alone; the others make a partner each and only touch their own sessions,
  // so they wait for their deadlines side by side (it.concurrent) instead of one after the other.
  it('lets the background sweep expire sessions nobody reads, and a second sweep finds nothing', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const ids = [await shortSession(sk), await shortSession(sk)];
    await pastDeadlineOf(ids[1]!);
    const [a, b] = await Promise.all([
      expireDue(server.database.db, null),
      expireDue(server.database.db, null),
    ]);
    expect(a + b).toBeGreaterThanOrEqual(2);
    expect(await expireDue(server.database.db, null)).toBe(0);
    const expired = await eventsOf(sk, 'gate_session.expired');
    expect(expired.map((e) => e.data.id).sort()).toEqual([...ids].sort());
  });

  it.concurrent('expires on the first read past expires_at, exactly once under 20 concurrent reads', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const id = await shortSession(sk);
    expect((await server.call('GET', `/v1/gate_sessions/${id}`, { headers: bearer(sk) })).body.status).toBe(
      'open',
    );
    await pastDeadlineOf(id);
    const reads = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.call('GET', `/v1/gate_sessions/${id}`, { headers: bearer(sk) }),
      ),
    );
    expect(reads.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(reads.map((r) => r.body.status)).toEqual(Array(20).fill('expired'));
    const expired = await eventsOf(sk, 'gate_session.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.data).toMatchObject({ id, status: 'expired' });
  });

  it.concurrent('expires due sessions when listing, and cancel of an expired session is 409 "expired"', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const id = await shortSession(sk);
    await pastDeadlineOf(id);
    const list = await server.call('GET', '/v1/gate_sessions', { headers: bearer(sk) });
    expect(list.body.data[0]).toMatchObject({ id, status: 'expired' });
    const cancel = await server.call('POST', `/v1/gate_sessions/${id}/cancel`, { headers: writeHeaders(sk) });
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toContain('already expired');
    expect(await eventsOf(sk, 'gate_session.expired')).toHaveLength(1);
    expect(await eventsOf(sk, 'gate_session.cancelled')).toHaveLength(0);
  });

  it.concurrent('expires a due session on cancel itself, keeping the expiry when the cancel is refused', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const id = await shortSession(sk);
    await pastDeadlineOf(id);
    const cancel = await server.call('POST', `/v1/gate_sessions/${id}/cancel`, { headers: writeHeaders(sk) });
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toContain('expired');
    expect(await eventsOf(sk, 'gate_session.expired')).toHaveLength(1);
    const read = await server.call('GET', `/v1/gate_sessions/${id}`, { headers: bearer(sk) });
    expect(read.body.status).toBe('expired');
  });

  it.concurrent('test helpers answer 409 on a session past its deadline', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const id = await shortSession(sk);
    await pastDeadlineOf(id);
    const complete = await server.call('POST', `/v1/test_helpers/sessions/${id}/complete`, {
      headers: bearer(sk),
    });
    expect(complete.status).toBe(409);
    expect(await eventsOf(sk, 'gate_session.completed')).toHaveLength(0);
  });
});

describe('expires_at bounds', () => {
  it('accepts +1 s in test mode but requires +30 min in live mode and at most 7 days', async () => {
    const { keys } = await server.partner();
    const live = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.live.secret_key),
      body: { ...SPEC_CREATE_BODY, expires_at: soon(60_000) },
    });
    expect(live.status).toBe(422);
    expect(live.body.message[0]).toContain('30 minutes');
    const liveOk = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.live.secret_key),
      body: { ...SPEC_CREATE_BODY, expires_at: soon(31 * 60_000) },
    });
    expect(liveOk.status).toBe(201);
    const tooFar = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, expires_at: soon(8 * 24 * 3600_000) },
    });
    expect(tooFar.status).toBe(422);
    const past = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, expires_at: soon(-1000) },
    });
    expect(past.status).toBe(422);
  });
});
