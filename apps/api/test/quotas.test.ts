import type { Mode } from '@0bit/core/scope';
import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, type TestPartner, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();

const setQuota = (partnerId: string, mode: Mode, monthly: number | null) =>
  server.call('PATCH', `/admin/partners/${partnerId}/quota`, {
    headers: bearer(server.adminToken),
    body: { mode, monthly_sessions: monthly },
  });
const create = (p: TestPartner, mode: Mode = 'test') =>
  server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(p.keys[mode].secret_key),
    body: SPEC_CREATE_BODY,
  });
const eventsOf = async (p: TestPartner, type: string) =>
  (await server.call('GET', `/v1/events?type=${type}&limit=100`, { headers: bearer(p.keys.test.secret_key) }))
    .body.data;

describe('monthly session quotas', () => {
  it('warns at 80 %, exhausts at 100 %, refuses the next create, and tells bootstrap it is unavailable', async () => {
    const p = await server.partner();
    const set = await setQuota(p.partner.id, 'test', 5);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      mode: 'test',
      monthly_sessions: 5,
      sessions_created: 0,
      remaining: 5,
      state: 'ok',
    });
    for (let i = 0; i < 3; i++) expect((await create(p)).status).toBe(201);
    expect(await eventsOf(p, 'partner.quota.warning')).toHaveLength(0);
    expect((await create(p)).status).toBe(201);
    const warning = await eventsOf(p, 'partner.quota.warning');
    expect(warning).toHaveLength(1);
    expect(warning[0].data).toMatchObject({
      partner_id: p.partner.id,
      mode: 'test',
      monthly_sessions: 5,
      sessions_created: 4,
    });
    expect((await create(p)).status).toBe(201);
    expect(await eventsOf(p, 'partner.quota.exhausted')).toHaveLength(1);

    const refused = await create(p);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('quota of 5 test sessions is exhausted');
    expect(await eventsOf(p, 'partner.quota.exhausted')).toHaveLength(1);
    expect(await eventsOf(p, 'partner.quota.warning')).toHaveLength(1);

    const boot = await server.call('POST', '/v1/embed/bootstrap', {
      headers: { ...bearer(p.keys.test.publishable_key), origin: 'https://partner.example' },
      body: {},
    });
    expect(boot.status).toBe(200);
    expect(boot.body).toMatchObject({ available: false, unavailable_reason: 'quota_exhausted' });
    // The other mode has its own (absent) quota.
    expect((await create(p, 'live')).status).toBe(201);

    const usage = await server.call('GET', '/portal/usage', { headers: bearer(p.keys.test.secret_key) });
    expect(usage.body.quota).toMatchObject({
      monthly_sessions: 5,
      sessions_created: 5,
      remaining: 0,
      state: 'exhausted',
    });

    const lifted = await setQuota(p.partner.id, 'test', null);
    expect(lifted.body.state).toBe('unlimited');
    expect((await create(p)).status).toBe(201);
  });

  it('lets exactly the quota through under 20 concurrent creates, with each event emitted once', async () => {
    const p = await server.partner();
    await setQuota(p.partner.id, 'test', 10);
    const results = await Promise.all(Array.from({ length: 20 }, () => create(p)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 403)).toHaveLength(10);
    expect(await eventsOf(p, 'partner.quota.warning')).toHaveLength(1);
    expect(await eventsOf(p, 'partner.quota.exhausted')).toHaveLength(1);
    expect(await server.sessionCount(p.partner.id)).toBe(10);
  });

  it('emits the thresholds at once when a lowered quota is already passed', async () => {
    const p = await server.partner();
    for (let i = 0; i < 3; i++) await create(p);
    const lowered = await setQuota(p.partner.id, 'test', 3);
    expect(lowered.body.state).toBe('exhausted');
    expect(await eventsOf(p, 'partner.quota.warning')).toHaveLength(1);
    expect(await eventsOf(p, 'partner.quota.exhausted')).toHaveLength(1);
    expect((await create(p)).status).toBe(403);
  });

  it('validates the admin request', async () => {
    const p = await server.partner();
    expect((await setQuota(p.partner.id, 'test', 0)).status).toBe(422);
    expect(
      (
        await server.call('PATCH', `/admin/partners/${p.partner.id}/quota`, {
          headers: bearer(server.adminToken),
          body: { monthly_sessions: 5 },
        })
      ).status,
    ).toBe(422);
    expect((await setQuota('ffffffffffffffffffffffff', 'test', 5)).status).toBe(404);
    expect(
      (
        await server.call('PATCH', `/admin/partners/${p.partner.id}/quota`, {
          headers: bearer(p.keys.test.secret_key),
          body: { mode: 'test', monthly_sessions: 5 },
        })
      ).status,
    ).toBe(401);
  });
});

describe('GET /portal/usage', () => {
  it('counts sessions per day by status and completed volume per currency', async () => {
    const p = await server.partner();
    const sk = p.keys.test.secret_key;
    const a = await create(p);
    const b = await create(p);
    await create(p);
    await server
      .call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(sk),
        body: { ...SPEC_CREATE_BODY, amount: '5.5', currency: 'USD' },
      })
      .then((r) =>
        server.call('POST', `/v1/test_helpers/sessions/${r.body.id}/complete`, { headers: bearer(sk) }),
      );
    await server.call('POST', `/v1/test_helpers/sessions/${a.body.id}/complete`, { headers: bearer(sk) });
    await server.call('POST', `/v1/test_helpers/sessions/${b.body.id}/complete`, { headers: bearer(sk) });
    const usage = await server.call('GET', '/portal/usage', { headers: bearer(sk) });
    expect(usage.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.body.days).toEqual([{ date: today, created: 4, completed: 3, cancelled: 0, expired: 0 }]);
    expect(usage.body.volume).toEqual([
      { currency: 'EUR', amount: '200.00', sessions: 2 },
      { currency: 'USD', amount: '5.50', sessions: 1 },
    ]);
    expect(usage.body.quota).toMatchObject({ state: 'unlimited', monthly_sessions: null, remaining: null });
    const live = await server.call('GET', '/portal/usage', { headers: bearer(p.keys.live.secret_key) });
    expect(live.body.days).toEqual([]);
  });

  it.each([
    ['?from=2026-13-01', 'from must be a date'],
    ['?from=2026-11-10&to=2026-11-01', 'must not be after'],
    ['?from=2020-01-01&to=2026-01-01', 'at most 366 days'],
  ])('refuses %s', async (query, phrase) => {
    const { keys } = await server.partner();
    const res = await server.call('GET', `/portal/usage${query}`, { headers: bearer(keys.test.secret_key) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toContain(phrase);
  });
});

describe('kyc.required in the sandbox', () => {
  it('is emitted by the require_kyc helper; the session stays open; live keys are refused', async () => {
    const p = await server.partner();
    const s = await create(p);
    const res = await server.call('POST', `/v1/test_helpers/sessions/${s.body.id}/require_kyc`, {
      headers: bearer(p.keys.test.secret_key),
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('open');
    const events = await eventsOf(p, 'kyc.required');
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({
      session_id: s.body.id,
      mode: 'test',
      user_reference: 'user_test_123',
    });
    const live = await create(p, 'live');
    expect(
      (
        await server.call('POST', `/v1/test_helpers/sessions/${live.body.id}/require_kyc`, {
          headers: bearer(p.keys.live.secret_key),
        })
      ).status,
    ).toBe(403);
  });
});
