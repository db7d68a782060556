import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();

const SESSION_FIELDS = [
  'id',
  'object',
  'partner_id',
  'mode',
  'flow',
  'amount',
  'currency',
  'target_token',
  'target_network',
  'return_url',
  'cancel_url',
  'status',
  'expires_at',
  'created_at',
  'wallet_address',
  'user_reference',
  'kyc_pre_verified',
  'metadata',
  // Additions of issue #15 (the glossary's fields above are unchanged).
  'lock_wallet_address',
  'destination_tokens',
  'destination_networks',
  'transaction_details',
].sort();

describe('POST /v1/gate_sessions', () => {
  it('accepts the spec example body verbatim and returns the client_secret once', async () => {
    const { partner, keys } = await server.partner();
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    expect(res.status).toBe(201);
    expect(res.headers['request-id']).toMatch(/^req_[0-9a-f]{24}$/);
    const { client_secret, ...session } = res.body;
    expect(Object.keys(session).sort()).toEqual(SESSION_FIELDS);
    expect(session).toMatchObject({
      object: 'gate_session',
      partner_id: partner.id,
      mode: 'test',
      status: 'open',
      amount: '100.00',
      currency: 'EUR',
      target_token: 'USDT',
      target_network: 'arbitrum',
      flow: 'on_ramp',
      return_url: 'https://partner.example/complete',
      cancel_url: 'https://partner.example/cancel',
      user_reference: 'user_test_123',
      wallet_address: null,
      kyc_pre_verified: false,
      metadata: { order_id: 'order_test_123' },
    });
    expect(session.id).toMatch(/^[0-9a-f]{24}$/);
    expect(client_secret).toMatch(new RegExp(`^gsec_${session.id}_[A-Za-z0-9]{32}$`));
    const lifetime = Date.parse(session.expires_at) - Date.parse(session.created_at);
    expect(lifetime).toBe(24 * 3600 * 1000);

    const read = await server.call('GET', `/v1/gate_sessions/${session.id}`, {
      headers: bearer(keys.test.secret_key),
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(session);
    expect(read.text).not.toContain('gsec_');
  });

  it('stores only a hash of the client secret', async () => {
    const { keys } = await server.partner();
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    const row = await server.database.db
      .selectFrom('gate_sessions')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(res.body.client_secret);
    expect(row.client_secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['100', 'EUR', '100.00'],
    ['100.5', 'USD', '100.50'],
    ['0100.10', 'EUR', '100.10'],
    ['5000', 'JPY', '5000'],
    ['1.234', 'KWD', '1.234'],
    ['4.5', 'GBP', '4.50'], // 0.01 GBP is below the amount bounds (issue #15, ramp-truth.test.ts)
  ])('returns amount %s %s canonical as %s', async (amount, currency, canonical) => {
    const { keys } = await server.partner();
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: { amount, currency, return_url: 'https://partner.example/done' },
    });
    expect(res.status).toBe(201);
    expect(res.body.amount).toBe(canonical);
    expect(res.body.currency).toBe(currency);
  });

  it('creates live sessions with live keys, and each mode sees only its own', async () => {
    const { keys } = await server.partner();
    const live = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.live.secret_key),
      body: { amount: '10', currency: 'EUR', return_url: 'https://partner.example/done' },
    });
    expect(live.status).toBe(201);
    expect(live.body.mode).toBe('live');
    const fromTest = await server.call('GET', `/v1/gate_sessions/${live.body.id}`, {
      headers: bearer(keys.test.secret_key),
    });
    expect(fromTest.status).toBe(404);
    const testList = await server.call('GET', '/v1/gate_sessions', { headers: bearer(keys.test.secret_key) });
    expect(testList.body.data).toEqual([]);
    const liveList = await server.call('GET', '/v1/gate_sessions', { headers: bearer(keys.live.secret_key) });
    expect(liveList.body.data.map((s: { id: string }) => s.id)).toEqual([live.body.id]);
  });

  it('keeps partners apart: another partner gets 404 for read and cancel', async () => {
    const a = await server.partner();
    const b = await server.partner();
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(a.keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    const read = await server.call('GET', `/v1/gate_sessions/${created.body.id}`, {
      headers: bearer(b.keys.test.secret_key),
    });
    expect(read.status).toBe(404);
    expect(read.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const cancel = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: writeHeaders(b.keys.test.secret_key),
    });
    expect(cancel.status).toBe(404);
    const list = await server.call('GET', '/v1/gate_sessions', { headers: bearer(b.keys.test.secret_key) });
    expect(list.body.data).toEqual([]);
    const still = await server.call('GET', `/v1/gate_sessions/${created.body.id}`, {
      headers: bearer(a.keys.test.secret_key),
    });
    expect(still.body.status).toBe('open');
  });

  it('accepts wallet_address without validating it at create time', async () => {
    const { keys } = await server.partner();
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, wallet_address: 'not-checked-until-flow-time' },
    });
    expect(res.status).toBe(201);
    expect(res.body.wallet_address).toBe('not-checked-until-flow-time');
  });

  it('returns metadata verbatim, keys in the order sent', async () => {
    const { keys } = await server.partner();
    const metadata = { zeta: '1', alpha: '2', 'order.id': 'x-1' };
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, metadata },
    });
    expect(JSON.stringify(res.body.metadata)).toBe(JSON.stringify(metadata));
    const read = await server.call('GET', `/v1/gate_sessions/${res.body.id}`, {
      headers: bearer(keys.test.secret_key),
    });
    expect(JSON.stringify(read.body.metadata)).toBe(JSON.stringify(metadata));
  });
});

describe('kyc_package', () => {
  it('is refused with code kyc_package_not_trusted unless the partner is kyc_trusted', async () => {
    const { keys } = await server.partner();
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, kyc_package: { provider: 'sumsub', applicant_id: 'a-1' } },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'kyc_package_not_trusted' });
  });

  it('marks the session pre-verified, emits a redacted acceptance and never echoes the package', async () => {
    const { partner, keys } = await server.partner({ kyc_trusted: true });
    const secretValue = `PII-${randomUUID()}`;
    const res = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: { ...SPEC_CREATE_BODY, kyc_package: { provider: 'sumsub', full_name: secretValue } },
    });
    expect(res.status).toBe(201);
    expect(res.body.kyc_pre_verified).toBe(true);
    expect(res.text).not.toContain(secretValue);
    const events = await server.call('GET', '/v1/events', { headers: bearer(keys.test.secret_key) });
    expect(events.text).not.toContain(secretValue);
    const accepted = events.body.data.find(
      (e: { type: string }) => e.type === 'gate_session.kyc_package_accepted',
    );
    expect(accepted.data).toEqual({
      session_id: res.body.id,
      partner_id: partner.id,
      mode: 'test',
      provider: 'sumsub',
      accepted_at: res.body.created_at,
      user_reference: 'user_test_123',
    });
    const row = await server.database.db
      .selectFrom('gate_sessions')
      .select('kyc_package_sealed')
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row.kyc_package_sealed).not.toContain(secretValue);
    expect(JSON.parse(server.box.open(row.kyc_package_sealed!))).toEqual({
      provider: 'sumsub',
      full_name: secretValue,
    });
  });
});

describe('GET /v1/gate_sessions', () => {
  it('pages newest first with limit, starting_after and has_more', async () => {
    const { keys } = await server.partner();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(keys.test.secret_key),
        body: { ...SPEC_CREATE_BODY, metadata: { n: String(i) } },
      });
      ids.push(res.body.id);
    }
    const newestFirst = [...ids].reverse();
    const first = await server.call('GET', '/v1/gate_sessions?limit=2', {
      headers: bearer(keys.test.secret_key),
    });
    expect(first.body.object).toBe('list');
    expect(first.body.data.map((s: { id: string }) => s.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.body.has_more).toBe(true);
    const second = await server.call('GET', `/v1/gate_sessions?limit=2&starting_after=${newestFirst[1]}`, {
      headers: bearer(keys.test.secret_key),
    });
    expect(second.body.data.map((s: { id: string }) => s.id)).toEqual(newestFirst.slice(2, 4));
    const last = await server.call('GET', `/v1/gate_sessions?limit=2&starting_after=${newestFirst[3]}`, {
      headers: bearer(keys.test.secret_key),
    });
    expect(last.body.data.map((s: { id: string }) => s.id)).toEqual(newestFirst.slice(4));
    expect(last.body.has_more).toBe(false);
    const all = await server.call('GET', '/v1/gate_sessions', { headers: bearer(keys.test.secret_key) });
    expect(all.body.data).toHaveLength(5);
    expect(all.text).not.toContain('client_secret');
  });

  it('refuses a cursor that is not a session of this list', async () => {
    const { keys } = await server.partner();
    const res = await server.call('GET', '/v1/gate_sessions?starting_after=000000000000000000000000', {
      headers: bearer(keys.test.secret_key),
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('starting_after');
  });
});

describe('POST /v1/gate_sessions/{id}/cancel', () => {
  it('cancels an open session once; cancelling again is 409 naming the status', async () => {
    const { keys } = await server.partner();
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    const cancelled = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: writeHeaders(keys.test.secret_key),
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: writeHeaders(keys.test.secret_key),
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(again.body.message).toContain('already cancelled');
    const read = await server.call('GET', `/v1/gate_sessions/${created.body.id}`, {
      headers: bearer(keys.test.secret_key),
    });
    expect(read.body.status).toBe('cancelled');
  });

  it('takes an empty JSON body, and refuses body fields it does not know', async () => {
    const { keys } = await server.partner();
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    const withField = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: writeHeaders(keys.test.secret_key),
      body: { reason: 'x' },
    });
    expect(withField.status).toBe(422);
    expect(withField.body.message).toEqual(['unknown field "reason"; remove it or check its spelling']);
    const empty = await server.call('POST', `/v1/gate_sessions/${created.body.id}/cancel`, {
      headers: { ...writeHeaders(keys.test.secret_key), 'content-type': 'application/json' },
      body: '',
    });
    expect(empty.status).toBe(200);
  });
});

describe('events outbox', () => {
  it('records created, cancelled and completed (with tx_refid) as full envelopes, newest first', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const a = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: SPEC_CREATE_BODY,
    });
    const b = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: SPEC_CREATE_BODY,
    });
    await server.call('POST', `/v1/gate_sessions/${a.body.id}/cancel`, { headers: writeHeaders(sk) });
    const done = await server.call('POST', `/v1/test_helpers/sessions/${b.body.id}/complete`, {
      headers: bearer(sk),
    });
    expect(done.status).toBe(200);

    const events = await server.call('GET', '/v1/events', { headers: bearer(sk) });
    expect(events.status).toBe(200);
    const types = events.body.data.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'gate_session.completed',
      'gate_session.cancelled',
      'gate_session.created',
      'gate_session.created',
    ]);
    for (const event of events.body.data) {
      expect(Object.keys(event).sort()).toEqual(['created_at', 'data', 'id', 'type']);
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isInteger(event.created_at)).toBe(true);
      expect(Math.abs(event.created_at - Date.now() / 1000)).toBeLessThan(60);
    }
    const completed = events.body.data[0].data;
    expect(completed).toMatchObject({ id: b.body.id, object: 'gate_session', status: 'completed' });
    expect(completed.tx_refid).toMatch(/^0x[0-9a-f]{64}$/);
    expect(events.body.data[1].data).toMatchObject({ id: a.body.id, status: 'cancelled' });
    const created = events.body.data[3].data;
    expect(Object.keys(created).sort()).toEqual(SESSION_FIELDS);
    expect(created).not.toHaveProperty('client_secret');

    const onlyCreated = await server.call('GET', '/v1/events?type=gate_session.created&limit=1', {
      headers: bearer(sk),
    });
    expect(onlyCreated.body.data).toHaveLength(1);
    expect(onlyCreated.body.has_more).toBe(true);
    const next = await server.call(
      'GET',
      `/v1/events?type=gate_session.created&starting_after=${onlyCreated.body.data[0].id}`,
      { headers: bearer(sk) },
    );
    expect(next.body.data).toHaveLength(1);
    expect(next.body.data[0].data.id).toBe(a.body.id);
  });
});
