import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode } from '@0bit/core/scope';
import { GateClient } from '@0bit/gate';
import { REPO_ROOT, runCommand } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';
import { createSandboxRamp, SANCTIONED_TEST_PARTIES, TEST_CARDS } from '../src/domain/ramp/providers.ts';
import { bearer, SPEC_ORIGIN, useTestServer, WIDGET_ORIGINS, writeHeaders } from './support/server.ts';

/**
 * The ramp tells the truth about money (issue #15): KYC on every flow, sanctions screening, amount limits,
 * transaction_details. Live mode runs on a sandbox of its own here, so both modes are exercised.
 */
/** The Node SDK as a partner's server holds it (verifyRedirect needs no API call). */
const sdk = new GateClient({ apiKey: 'sk_test_only_for_verifying_redirects' });
const live = createSandboxRamp();
const server = useTestServer({ rampProviders: { test: createSandboxRamp(), live } });
const WALLET = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const OTHER_WALLET = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const CARD = { number: TEST_CARDS.success, exp_month: 12, exp_year: 2030, cvc: '123' };
const SELL = { flow: 'off_ramp', target_token: 'BTC', target_network: 'bitcoin' } as const;
const SWAP = { flow: 'swap', target_token: 'USDC', target_network: 'arbitrum' } as const;
const PERSON = { first_name: 'Ada', last_name: 'Lovelace', date_of_birth: '1990-01-01', country: 'DE' };

async function widgetFor(body: Record<string, unknown> = {}, mode: Mode = 'test') {
  const p = await server.partner({ allowed_domains: [SPEC_ORIGIN] });
  const sk = p.keys[mode].secret_key;
  const created = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(sk),
    body: {
      amount: '100.00',
      currency: 'EUR',
      return_url: 'https://partner.example/done',
      cancel_url: 'https://partner.example/cancel',
      target_token: 'USDT',
      target_network: 'arbitrum',
      ...body,
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const boot = await server.call('POST', '/v1/embed/bootstrap', {
    headers: { ...bearer(p.keys[mode].publishable_key), origin: SPEC_ORIGIN },
    body: { clientSecret: created.body.client_secret },
  });
  expect(boot.status, JSON.stringify(boot.body)).toBe(200);
  const call = (path: string, payload: unknown = {}) =>
    server.call('POST', path, {
      headers: { 'x-embed-token': boot.body.token, origin: WIDGET_ORIGINS[mode] },
      body: payload,
    });
  const id = created.body.id as string;
  return {
    p,
    sk,
    id,
    session: created.body,
    token: boot.body.token as string,
    boot: boot.body,
    call,
    verify: (person: Partial<typeof PERSON> = {}) => call('/v1/embed/kyc', { ...PERSON, ...person }),
    intent: (payload: Record<string, unknown>) =>
      call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', ...payload }),
    confirm: (intentId: string, payload: unknown = {}) =>
      call(`/v1/embed/intents/${intentId}/confirm`, payload),
    read: () => server.call('GET', `/v1/gate_sessions/${id}`, { headers: bearer(sk) }),
    /** The session's events as the outbox holds them (what webhooks deliver), oldest first. */
    events: async (type?: string) => {
      const page = await server.call('GET', `/v1/events?limit=100${type ? `&type=${type}` : ''}`, {
        headers: bearer(sk),
      });
      return (page.body.data as Array<{ type: string; data: Record<string, unknown> }>)
        .filter((e) => e.data.session_id === id || e.data.id === id)
        .reverse();
    },
  };
}

describe('KYC on every flow (buy, sell, swap), enforced on the server', () => {
  for (const [name, body, payload] of [
    ['sell', SELL, { iban: IBAN }],
    ['swap', SWAP, { from_token: 'USDT', from_network: 'tron', wallet_address: WALLET }],
  ] as const) {
    it(`a ${name} without KYC gets no deposit address and its confirm is refused (403 kyc_required)`, async () => {
      const w = await widgetFor(body);
      const quote = await w.call(
        '/v1/embed/quote',
        'from_token' in payload ? { from_token: 'USDT', from_network: 'tron' } : {},
      );
      expect(quote.body.kyc_required).toBe(true);
      const refused = await w.intent(payload);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'kyc_required' });
      expect(refused.body.message).toContain('/v1/embed/kyc');

      // An intent that exists without a verification (one created before this rule): the confirm refuses.
      const legacyId = (name === 'swap' ? 'b' : 'c').repeat(24);
      await server.database.db
        .insertInto('widget_intents')
        .values({
          id: legacyId,
          session_id: w.id,
          flow: body.flow,
          status: 'requires_payment',
          fiat_amount: '100.00',
          fiat_currency: 'EUR',
          token: body.target_token,
          network: body.target_network,
          crypto_amount: '1',
          source_token: name === 'swap' ? 'USDT' : null,
          source_network: name === 'swap' ? 'tron' : null,
          source_amount: name === 'swap' ? '100' : null,
          destination: name === 'swap' ? WALLET : 'DE89370400440532013000',
          deposit_address: `legacy-${name}`,
          failure_reason: null,
          tx_refid: null,
          deposit_txid: null,
        })
        .execute();
      const confirm = await w.confirm(legacyId, { simulate_deposit: true });
      expect(confirm.status).toBe(403);
      expect(confirm.body.code).toBe('kyc_required');
      expect((await w.read()).body.status).toBe('open');

      // One kyc.required for the session (not one per quote or refusal).
      const kyc = await w.events('kyc.required');
      expect(kyc.map((e) => e.data.reason)).toEqual(['verification_required']);

      expect((await w.verify()).body.status).toBe('verified');
      const intent = await w.intent(payload);
      expect(intent.status).toBe(200);
      expect(intent.body.deposit_address).toBeTruthy();
      const paid = await w.confirm(intent.body.id, { simulate_deposit: true });
      expect(paid.body.status, JSON.stringify(paid.body)).toBe('succeeded');
    });
  }

  for (const mode of ['test', 'live'] as const)
    it(`${mode}: a rejected verification emits kyc.required with its failure reason; a review holds the payment`, async () => {
      const w = await widgetFor({}, mode);
      const rejected = await w.verify({ last_name: 'Reject' });
      expect(rejected.body).toMatchObject({ status: 'rejected', reason: expect.stringContaining('Reject') });
      const review = await w.verify({ last_name: 'Review' });
      expect(review.body).toMatchObject({ status: 'review', reason: expect.stringContaining('review') });
      const intent = await w.intent({ wallet_address: WALLET });
      const refused = await w.confirm(intent.body.id, { card: CARD });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('kyc_required');
      const kyc = await w.events('kyc.required');
      expect(kyc.map((e) => [e.data.reason, e.data.failure_reason]).sort()).toEqual([
        ['kyc_rejected', 'Identity could not be verified (sandbox: last name "Reject")'],
        ['kyc_review', 'Identity is held for manual review (sandbox: last name "Review")'],
        ['verification_required', null],
      ]);
      // The spec's shape, with failure_reason as an addition.
      expect(Object.keys(kyc[0]!.data).sort()).toEqual(
        ['failure_reason', 'mode', 'partner_id', 'reason', 'session_id', 'user_reference'].sort(),
      );
      expect(kyc[0]!.data).toMatchObject({ session_id: w.id, partner_id: w.p.partner.id, mode });
      expect((await w.verify()).body.status).toBe('verified');
      expect((await w.confirm(intent.body.id, { card: CARD })).body.status).toBe('succeeded');
    });

  // Fresh eyes (#15): a pass followed by a rejected verification still let the sell be paid.
  it('the latest verification counts: a pass then a reject (or review) leaves the customer unverified', async () => {
    for (const lastName of ['Reject', 'Review']) {
      const w = await widgetFor(SELL);
      expect((await w.verify()).body.status).toBe('verified');
      const intent = await w.intent({ iban: IBAN });
      expect(intent.status).toBe(200);
      expect((await w.verify({ last_name: lastName })).body.status).not.toBe('verified');
      const confirm = await w.confirm(intent.body.id, { simulate_deposit: true });
      expect(confirm.status, lastName).toBe(403);
      expect(confirm.body.code).toBe('kyc_required');
      expect((await w.read()).body.status).toBe('open');
    }
  });

  it('a kyc_pre_verified session skips the step on every flow', async () => {
    const p = await server.partner({ allowed_domains: [SPEC_ORIGIN], kyc_trusted: true });
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: {
        amount: '100.00',
        currency: 'EUR',
        return_url: 'https://partner.example/done',
        ...SELL,
        kyc_package: { provider: 'sumsub' },
      },
    });
    const boot = await server.call('POST', '/v1/embed/bootstrap', {
      headers: { ...bearer(p.keys.test.publishable_key), origin: SPEC_ORIGIN },
      body: { clientSecret: created.body.client_secret },
    });
    const call = (path: string, payload: unknown) =>
      server.call('POST', path, {
        headers: { 'x-embed-token': boot.body.token, origin: WIDGET_ORIGINS.test },
        body: payload,
      });
    expect((await call('/v1/embed/quote', {})).body.kyc_required).toBe(false);
    const intent = await call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', iban: IBAN });
    expect(intent.status).toBe(200);
    const paid = await call(`/v1/embed/intents/${intent.body.id}/confirm`, { simulate_deposit: true });
    expect(paid.body.status).toBe('succeeded');
  });
});

describe('sanctions screening of every wallet and IBAN', () => {
  it('a flagged sandbox wallet (buy) is refused with failure_reason sanctions_screening; the session stays open', async () => {
    const w = await widgetFor();
    await w.verify();
    const flagged = await w.intent({ wallet_address: SANCTIONED_TEST_PARTIES.evm });
    expect(flagged.status).toBe(200);
    expect(flagged.body).toMatchObject({ status: 'failed', failure_reason: 'sanctions_screening' });
    const again = await w.confirm(flagged.body.id, { card: CARD });
    expect(again.status).toBe(409);
    const failed = await w.events('gate_session.failed');
    expect(failed.map((e) => e.data.failure_reason)).toEqual(['sanctions_screening']);
    expect((await w.read()).body.status).toBe('open');
    const clean = await w.intent({ wallet_address: WALLET });
    expect((await w.confirm(clean.body.id, { card: CARD })).body.status).toBe('succeeded');
  });

  it('a flagged IBAN (sell) is refused before any deposit address is issued', async () => {
    const w = await widgetFor(SELL);
    await w.verify();
    const flagged = await w.intent({ iban: SANCTIONED_TEST_PARTIES.iban });
    expect(flagged.body).toMatchObject({
      status: 'failed',
      failure_reason: 'sanctions_screening',
      deposit_address: null,
    });
  });

  it('a party flagged after the intent was created is refused at confirm, before any money moves', async () => {
    const screened: string[] = [];
    let listed = false;
    const own = createSandboxRamp();
    own.sanctions = {
      screen: async (party) => {
        screened.push(party.kind === 'iban' ? party.iban : party.address);
        return listed ? { flagged: true, reason: 'listed today' } : { flagged: false };
      },
    };
    // The same server, live mode wired to this sandbox: screening is the provider's, in either mode.
    Object.assign(live, { sanctions: own.sanctions });
    try {
      const w = await widgetFor({}, 'live');
      await w.verify();
      const intent = await w.intent({ wallet_address: OTHER_WALLET });
      expect(intent.body.status).toBe('requires_payment');
      listed = true;
      const refused = await w.confirm(intent.body.id, { card: CARD });
      expect(refused.body).toMatchObject({ status: 'failed', failure_reason: 'sanctions_screening' });
      expect(screened).toEqual([OTHER_WALLET, OTHER_WALLET]);
      expect(live.ledger.charges.filter((c) => c.reference.startsWith(intent.body.id))).toEqual([]);
    } finally {
      Object.assign(live, { sanctions: createSandboxRamp().sanctions });
    }
  });
});

describe('limits', () => {
  const create = (sk: string, body: Record<string, unknown>) =>
    server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: { return_url: 'https://partner.example/done', ...body },
    });

  it('refuses at create an amount outside its currency bounds (422 naming them); the bounds cover the fees', async () => {
    const p = await server.partner({ allowed_domains: [SPEC_ORIGIN] });
    const sk = p.keys.test.secret_key;
    const small = await create(sk, { amount: '0.01', currency: 'EUR' });
    expect(small.status).toBe(422);
    expect(small.body.code).toBe('amount_out_of_bounds');
    expect(small.body.message[0]).toContain('between 4.00 and 23000.00 EUR');
    const huge = await create(sk, { amount: '999999999999999', currency: 'EUR' });
    expect(huge.status).toBe(422);
    expect(huge.body.message[0]).toContain('between 4.00 and 23000.00 EUR');
    expect((await create(sk, { amount: '3.99', currency: 'EUR' })).status).toBe(422);
    expect((await create(sk, { amount: '23000.01', currency: 'EUR' })).status).toBe(422);
    expect(await server.sessionCount(p.partner.id)).toBe(0);

    // The smallest session allowed covers its fees on the costliest route (USDT on Ethereum).
    const smallest = await create(sk, {
      amount: '4.00',
      currency: 'EUR',
      target_token: 'USDT',
      target_network: 'ethereum',
    });
    expect(smallest.status).toBe(201);
    const boot = await server.call('POST', '/v1/embed/bootstrap', {
      headers: { ...bearer(p.keys.test.publishable_key), origin: SPEC_ORIGIN },
      body: { clientSecret: smallest.body.client_secret },
    });
    const quote = await server.call('POST', '/v1/embed/quote', {
      headers: { 'x-embed-token': boot.body.token, origin: WIDGET_ORIGINS.test },
      body: {},
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    expect(Number(quote.body.crypto.amount)).toBeGreaterThan(0);
    expect((await create(sk, { amount: '23000.00', currency: 'EUR' })).status).toBe(201);
  });

  it('per-customer daily limits, set by the admin per partner, refuse the create that would exceed them', async () => {
    const p = await server.partner({ allowed_domains: [SPEC_ORIGIN] });
    const sk = p.keys.test.secret_key;
    const admin = { authorization: `Bearer ${server.adminToken}` };
    const bad = await server.call('PATCH', `/admin/partners/${p.partner.id}/customer-limits`, {
      headers: admin,
      body: { daily: { EUR: '1.001' } },
    });
    expect(bad.status).toBe(422);
    const set = await server.call('PATCH', `/admin/partners/${p.partner.id}/customer-limits`, {
      headers: admin,
      body: { daily: { EUR: '250' } },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ id: p.partner.id, customer_daily_limits: { EUR: '250.00' } });

    const order = (amount: string, user_reference?: string) =>
      create(sk, { amount, currency: 'EUR', ...(user_reference ? { user_reference } : {}) });
    expect((await order('100.00', 'alice')).status).toBe(201);
    const cancelled = await order('100.00', 'alice');
    await server.call('POST', `/v1/gate_sessions/${cancelled.body.id}/cancel`, { headers: writeHeaders(sk) });
    expect((await order('150.00', 'alice')).status).toBe(201); // the cancelled one does not count
    const over = await order('4.00', 'alice');
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('customer_daily_limit_exceeded');
    expect(over.body.message[0]).toContain('daily limit of 250.00 EUR: 250.00 EUR is already');
    expect((await order('200.00', 'bob')).status).toBe(201); // another customer
    expect((await order('200.00')).status).toBe(201); // no user_reference: not a customer's
    expect((await create(sk, { amount: '200.00', currency: 'USD', user_reference: 'alice' })).status).toBe(
      201,
    );

    await server.call('PATCH', `/admin/partners/${p.partner.id}/customer-limits`, {
      headers: admin,
      body: { daily: null },
    });
    expect((await order('4.00', 'alice')).status).toBe(201);
  });
});

describe('transaction_details: what was actually paid, on retrieve, list and every gate_session.* webhook', () => {
  it('a buy to a wallet the customer changed (not locked): the completed webhook names that wallet, amounts, fees and the tx', async () => {
    const w = await widgetFor({ wallet_address: WALLET, lock_wallet_address: false });
    expect((await w.read()).body.transaction_details).toBeNull();
    await w.verify();
    const intent = await w.intent({ wallet_address: OTHER_WALLET });
    const open = (await w.read()).body.transaction_details;
    expect(open).toMatchObject({
      intent_id: intent.body.id,
      status: 'requires_payment',
      transaction_id: null,
    });
    const declined = await w.confirm(intent.body.id, { card: { ...CARD, number: TEST_CARDS.declined } });
    expect(declined.body.status).toBe('failed');
    const retry = await w.intent({ wallet_address: OTHER_WALLET });
    const paid = await w.confirm(retry.body.id, { card: CARD });
    expect(paid.body.status).toBe('succeeded');
    const expected = {
      intent_id: retry.body.id,
      status: 'succeeded',
      flow: 'on_ramp',
      source_currency: 'EUR',
      source_network: null,
      source_amount: '100.00',
      destination_currency: 'USDT',
      destination_network: 'arbitrum',
      destination_amount: '106.28',
      exchange_rate: '0.92',
      fees: [
        { type: 'processing', amount: '1.50', currency: 'EUR' },
        { type: 'network', amount: '0.1', currency: 'USDT' },
      ],
      wallet_address: OTHER_WALLET,
      iban: null,
      payment_method: 'card',
      deposit_address: null,
      deposit_transaction_id: null,
      transaction_id: paid.body.tx_refid,
      explorer_url: null,
      last_error: null,
    };
    const [failed] = await w.events('gate_session.failed');
    expect(failed!.data.transaction_details).toMatchObject({
      intent_id: intent.body.id,
      status: 'failed',
      last_error: 'card_declined',
    });
    const [completed] = await w.events('gate_session.completed');
    expect(completed!.data.transaction_details).toEqual(expected);
    // docs/webhooks.md's full example body has exactly the fields a real completed event has.
    const doc = readFileSync(join(REPO_ROOT, 'docs/webhooks.md'), 'utf8');
    const example = JSON.parse(/<!-- webhook-example:completed -->\s*```json\n([\s\S]*?)```/.exec(doc)![1]!);
    expect(Object.keys(example.data).sort()).toEqual(Object.keys(completed!.data).sort());
    expect(Object.keys(example.data.transaction_details).sort()).toEqual(Object.keys(expected).sort());
    expect(example.data.transaction_details.fees).toEqual(expected.fees);
    expect(completed!.data.wallet_address).toBe(WALLET); // the session's pre-fill stays what it was
    expect((await w.read()).body.transaction_details).toEqual(expected);
    const list = await server.call('GET', '/v1/gate_sessions?limit=5', { headers: bearer(w.sk) });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data.find((s: { id: string }) => s.id === w.id).transaction_details).toEqual(expected);
  });

  it('a sell: the completed webhook says what was sold, to which (masked) IBAN, and the deposit it paid against', async () => {
    const w = await widgetFor(SELL);
    await w.verify();
    const intent = await w.intent({ iban: IBAN });
    const paid = await w.confirm(intent.body.id, { simulate_deposit: true });
    expect(paid.body.status).toBe('succeeded');
    const [completed] = await w.events('gate_session.completed');
    expect(completed!.data.transaction_details).toEqual({
      intent_id: intent.body.id,
      status: 'succeeded',
      flow: 'off_ramp',
      source_currency: 'BTC',
      source_network: 'bitcoin',
      source_amount: '0.001827',
      destination_currency: 'EUR',
      destination_network: null,
      destination_amount: '100.00',
      exchange_rate: '55555.55',
      fees: [{ type: 'processing', amount: '1.50', currency: 'EUR' }],
      wallet_address: null,
      iban: 'DE89 •••• 3000',
      payment_method: 'crypto_deposit',
      deposit_address: intent.body.deposit_address,
      deposit_transaction_id: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      transaction_id: paid.body.tx_refid,
      explorer_url: null,
      last_error: null,
    });
  });

  it('a swap on a session without a flow lock: the webhook says swap, from what to what, at which rate', async () => {
    const w = await widgetFor({ target_token: null, target_network: null });
    await w.verify();
    const intent = await w.intent({
      flow: 'swap',
      token: 'USDC',
      network: 'arbitrum',
      from_token: 'USDT',
      from_network: 'tron',
      wallet_address: WALLET,
    });
    expect(intent.status, JSON.stringify(intent.body)).toBe(200);
    const paid = await w.confirm(intent.body.id, { simulate_deposit: true });
    expect(paid.body.status).toBe('succeeded');
    const [completed] = await w.events('gate_session.completed');
    expect(completed!.data).toMatchObject({ flow: null, target_token: null }); // the session as created
    expect(completed!.data.transaction_details).toEqual({
      intent_id: intent.body.id,
      status: 'succeeded',
      flow: 'swap',
      source_currency: 'USDT',
      source_network: 'tron',
      source_amount: intent.body.source.amount,
      destination_currency: 'USDC',
      destination_network: 'arbitrum',
      destination_amount: intent.body.crypto.amount,
      exchange_rate: expect.stringMatching(/^\d+(\.\d+)?$/),
      fees: [
        { type: 'processing', amount: '1.50', currency: 'EUR' },
        { type: 'network', amount: '0.1', currency: 'USDC' },
      ],
      wallet_address: WALLET,
      iban: null,
      payment_method: 'crypto_deposit',
      deposit_address: intent.body.deposit_address,
      deposit_transaction_id: expect.stringMatching(/^0x/),
      transaction_id: paid.body.tx_refid,
      explorer_url: null,
      last_error: null,
    });
  });

  it('live mode links the settlement transaction on a block explorer', async () => {
    const w = await widgetFor({}, 'live');
    await w.verify();
    const intent = await w.intent({ wallet_address: WALLET });
    const paid = await w.confirm(intent.body.id, { card: CARD });
    expect((await w.read()).body.transaction_details.explorer_url).toBe(
      `https://arbiscan.io/tx/${paid.body.tx_refid}`,
    );
  });
});

describe('lock_wallet_address and destination allow-lists', () => {
  it('a wallet given at create is locked by default: another wallet is refused at intent and at confirm', async () => {
    const w = await widgetFor({ wallet_address: WALLET });
    expect(w.session).toMatchObject({ wallet_address: WALLET, lock_wallet_address: true });
    await w.verify();
    const other = await w.intent({ wallet_address: OTHER_WALLET });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('wallet_locked');
    // An intent to another wallet that exists anyway (created before the rule): its confirm is refused.
    const legacyId = 'd'.repeat(24);
    await server.database.db
      .insertInto('widget_intents')
      .values({
        id: legacyId,
        session_id: w.id,
        flow: 'on_ramp',
        status: 'requires_payment',
        fiat_amount: '100.00',
        fiat_currency: 'EUR',
        token: 'USDT',
        network: 'arbitrum',
        crypto_amount: '106.28',
        source_token: null,
        source_network: null,
        source_amount: null,
        destination: OTHER_WALLET,
        deposit_address: null,
        failure_reason: null,
        tx_refid: null,
        deposit_txid: null,
      })
      .execute();
    const refused = await w.confirm(legacyId, { card: CARD });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('wallet_locked');
    expect(live.ledger.charges.some((c) => c.reference.startsWith(legacyId))).toBe(false);
    await server.database.db.deleteFrom('widget_intents').where('id', '=', legacyId).execute();
    const own = await w.intent({});
    expect(own.body.destination).toBe(WALLET);
    expect((await w.confirm(own.body.id, { card: CARD })).body.status).toBe('succeeded');
  });

  it('lock_wallet_address needs a wallet; allow-lists must agree with the target; the bootstrap tells the widget', async () => {
    const p = await server.partner({ allowed_domains: [SPEC_ORIGIN] });
    const base = { amount: '100.00', currency: 'EUR', return_url: 'https://partner.example/done' };
    const bad = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: { ...base, lock_wallet_address: true, target_token: 'BTC', destination_tokens: ['USDT'] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toEqual([
      'lock_wallet_address needs a wallet_address to lock; send one or set it to false',
      'target_token BTC is not in destination_tokens',
    ]);
    const w = await widgetFor({
      target_token: null,
      target_network: null,
      destination_tokens: ['USDC'],
      destination_networks: ['arbitrum', 'base'],
    });
    expect(w.session).toMatchObject({
      lock_wallet_address: false,
      destination_tokens: ['USDC'],
      destination_networks: ['arbitrum', 'base'],
    });
    await w.verify();
    const usdt = await w.call('/v1/embed/quote', { token: 'USDT', network: 'arbitrum' });
    expect(usdt.status).toBe(403);
    expect(usdt.body.code).toBe('destination_not_allowed');
    const ethereum = await w.intent({ token: 'USDC', network: 'ethereum', wallet_address: WALLET });
    expect(ethereum.body.code).toBe('destination_not_allowed');
    const ok = await w.intent({ token: 'USDC', network: 'base', wallet_address: WALLET });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const locked = await widgetFor({ wallet_address: WALLET });
    expect(locked.boot).toMatchObject({ wallet_address: WALLET, lock_wallet_address: true });
    expect(w.boot.lock_wallet_address).toBe(false);
  });
});

describe('every 403 carries a stable code (docs/errors.md)', () => {
  it('quota_exhausted, api_key_revoked, origin_not_allowed, mode_mismatch, kyc_package_not_trusted — each documented', async () => {
    const p = await server.partner({ allowed_domains: [SPEC_ORIGIN] });
    const sk = p.keys.test.secret_key;
    const body = { amount: '100.00', currency: 'EUR', return_url: 'https://partner.example/done' };
    const codes: Record<string, string> = {};

    const kyc = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: { ...body, kyc_package: { provider: 'sumsub' } },
    });
    codes.kyc = kyc.body.code;

    await server.call('PATCH', `/admin/partners/${p.partner.id}/quota`, {
      headers: bearer(server.adminToken),
      body: { mode: 'test', monthly_sessions: 1 },
    });
    expect((await server.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body })).status).toBe(
      201,
    );
    const quota = await server.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body });
    expect(quota.status).toBe(403);
    codes.quota = quota.body.code;

    const origin = await server.call('POST', '/v1/embed/bootstrap', {
      headers: { ...bearer(p.keys.test.publishable_key), origin: 'https://evil.example' },
      body: {},
    });
    codes.origin = origin.body.code;

    const helper = await server.call('POST', `/v1/test_helpers/sessions/${'a'.repeat(24)}/complete`, {
      headers: writeHeaders(p.keys.live.secret_key),
    });
    codes.mode = helper.body.code;

    const other = await server.partner({ allowed_domains: [SPEC_ORIGIN] });
    const keyId = (
      await server.call('GET', '/portal/keys', { headers: bearer(other.keys.test.secret_key) })
    ).body.data.find((k: { type: string; mode: string }) => k.type === 'secret' && k.mode === 'test').id;
    const fresh = await server.call('POST', '/portal/keys', {
      headers: writeHeaders(other.keys.test.secret_key),
      body: { type: 'secret' },
    });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(201);
    const revoke = await server.call('POST', `/portal/keys/${keyId}/revoke`, {
      headers: writeHeaders(other.keys.test.secret_key),
    });
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(200);
    const revoked = await server.call('GET', '/v1/gate_sessions', {
      headers: bearer(other.keys.test.secret_key),
    });
    codes.revoked = revoked.body.code;

    expect(codes).toEqual({
      kyc: 'kyc_package_not_trusted',
      quota: 'quota_exhausted',
      origin: 'origin_not_allowed',
      mode: 'mode_mismatch',
      revoked: 'api_key_revoked',
    });
    const doc = readFileSync(join(REPO_ROOT, 'docs/errors.md'), 'utf8');
    for (const code of Object.values(codes)) expect(doc).toContain(`| \`${code}\` |`);
  });

  it('/portal/usage: quota.sessions_created agrees with the daily totals, with and without a quota', async () => {
    for (const quota of [null, 50]) {
      const p = await server.partner({ allowed_domains: [SPEC_ORIGIN] });
      const sk = p.keys.test.secret_key;
      if (quota)
        await server.call('PATCH', `/admin/partners/${p.partner.id}/quota`, {
          headers: bearer(server.adminToken),
          body: { mode: 'test', monthly_sessions: quota },
        });
      for (let i = 0; i < 3; i++)
        await server.call('POST', '/v1/gate_sessions', {
          headers: writeHeaders(sk),
          body: { amount: '100.00', currency: 'EUR', return_url: 'https://partner.example/done' },
        });
      const usage = await server.call('GET', '/portal/usage', { headers: bearer(sk) });
      const created = usage.body.days.reduce((n: number, d: { created: number }) => n + d.created, 0);
      expect(created).toBe(3);
      expect(usage.body.quota.sessions_created).toBe(3);
    }
  });
});

describe('resume: one intent at a time, the same deposit address after a reload', () => {
  it('a reloaded widget gets the open intent back (same address, same expiry); switching flow or asset is refused', async () => {
    const w = await widgetFor({ target_token: null, target_network: null });
    await w.verify();
    const none = await server.call('GET', '/v1/embed/intents/current', {
      headers: { 'x-embed-token': w.token, origin: WIDGET_ORIGINS.test },
    });
    expect(none.body).toEqual({ object: 'widget_resume', intent: null });
    const swap = {
      flow: 'swap',
      token: 'USDC',
      network: 'arbitrum',
      from_token: 'USDT',
      from_network: 'tron',
      wallet_address: WALLET,
    };
    const first = await w.intent(swap);
    expect(first.body).toMatchObject({
      deposit_address: expect.any(String),
      expires_at: w.session.expires_at,
    });

    // Reload: the page bootstraps again with the same client secret, and asks for the open intent.
    const boot = await server.call('POST', '/v1/embed/bootstrap', {
      headers: { ...bearer(w.p.keys.test.publishable_key), origin: SPEC_ORIGIN },
      body: { clientSecret: w.session.client_secret },
    });
    const resumed = await server.call('GET', '/v1/embed/intents/current', {
      headers: { 'x-embed-token': boot.body.token, origin: WIDGET_ORIGINS.test },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.body.intent).toEqual(first.body);

    const sameAgain = await w.intent(swap);
    expect(sameAgain.body.id).toBe(first.body.id);
    for (const change of [
      { flow: 'on_ramp', from_token: undefined, from_network: undefined },
      { from_token: 'ETH', from_network: 'ethereum' },
      { wallet_address: OTHER_WALLET },
    ]) {
      const refused = await w.intent({ ...swap, ...change });
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body.code).toBe('deposit_address_issued');
      expect(refused.body.message).toContain(first.body.deposit_address);
    }
    const rows = await server.database.db
      .selectFrom('widget_intents')
      .select(['id', 'status'])
      .where('session_id', '=', w.id)
      .execute();
    expect(rows).toEqual([{ id: first.body.id, status: 'requires_payment' }]);
    expect((await w.confirm(first.body.id, { simulate_deposit: true })).body.status).toBe('succeeded');
  });
});

describe('return_url and cancel_url: session id and status appended, signed; the widget cancels server-side', () => {
  const pythonVerify = (url: string, secret: string) =>
    runCommand(
      'python3',
      [
        '-c',
        'import json,sys\nfrom zerobit.gate import verify_redirect\ntry:\n  print(json.dumps(verify_redirect(sys.argv[1], sys.argv[2])))\nexcept Exception as e:\n  print(json.dumps({"error": type(e).__name__}))',
        url,
        secret,
      ],
      { env: { PYTHONPATH: join(REPO_ROOT, 'packages/gate/python') } },
    ).then((r) => JSON.parse(r.stdout));

  async function withEndpoint(w: Awaited<ReturnType<typeof widgetFor>>) {
    const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(w.sk),
      body: { url: 'http://127.0.0.1:9/hook' }, // nobody listens: deliveries just retry
    });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(200);
    return endpoint.body.secret as string;
  }

  it('a paid buy answers a signed return_url that both server SDKs verify; a changed one fails', async () => {
    const w = await widgetFor();
    const secret = await withEndpoint(w);
    await w.verify();
    const intent = await w.intent({ wallet_address: WALLET });
    const paid = await w.confirm(intent.body.id, { card: CARD });
    const url = new URL(paid.body.return_url);
    expect(`${url.origin}${url.pathname}`).toBe('https://partner.example/done');
    expect(url.searchParams.get('gate_session_id')).toBe(w.id);
    expect(url.searchParams.get('gate_status')).toBe('completed');
    const node = sdk.webhooks.verifyRedirect(paid.body.return_url, secret);
    expect(node).toMatchObject({ sessionId: w.id, status: 'completed' });
    expect(await pythonVerify(paid.body.return_url, secret)).toMatchObject({
      session_id: w.id,
      status: 'completed',
    });
    const forged = paid.body.return_url.replace('gate_status=completed', 'gate_status=cancelled');
    expect(() => sdk.webhooks.verifyRedirect(forged, secret)).toThrow(/signature does not match/);
    expect(await pythonVerify(forged, secret)).toEqual({ error: 'SignatureVerificationError' });
    const otherSecret = `whsec_${'x'.repeat(32)}`;
    expect(() => sdk.webhooks.verifyRedirect(paid.body.return_url, otherSecret)).toThrow();
  });

  // Fresh eyes (#15): a cancelled session still showed its open intent (requires_payment, deposit address).
  it('a cancelled session ends its unpaid intent: transaction_details says failed, session_cancelled', async () => {
    const w = await widgetFor(SELL);
    expect((await w.verify()).body.status).toBe('verified');
    const intent = await w.intent({ iban: IBAN });
    expect(intent.body.deposit_address).toBeTruthy();
    const cancel = await server.call('POST', `/v1/gate_sessions/${w.id}/cancel`, {
      headers: writeHeaders(w.sk),
    });
    expect(cancel.status).toBe(200);
    expect(cancel.body.transaction_details).toMatchObject({
      status: 'failed',
      last_error: 'session_cancelled',
    });
    const [event] = await w.events('gate_session.cancelled');
    expect(event?.data.transaction_details).toMatchObject({
      status: 'failed',
      last_error: 'session_cancelled',
    });
  });

  it("the widget's Cancel cancels the session (gate_session.cancelled) and answers the signed cancel_url", async () => {
    const w = await widgetFor();
    const secret = await withEndpoint(w);
    const cancelled = await w.call('/v1/embed/cancel', {});
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ object: 'widget_cancel', session_id: w.id, status: 'cancelled' });
    expect(cancelled.body.cancel_url).toMatch(/^https:\/\/partner\.example\/cancel\?gate_session_id=/);
    expect(sdk.webhooks.verifyRedirect(cancelled.body.cancel_url, secret)).toMatchObject({
      sessionId: w.id,
      status: 'cancelled',
    });
    expect(await pythonVerify(cancelled.body.cancel_url, secret)).toMatchObject({ status: 'cancelled' });
    expect((await w.read()).body.status).toBe('cancelled');
    expect((await w.events('gate_session.cancelled')).length).toBe(1);
    expect((await w.call('/v1/embed/cancel', {})).status).toBe(409); // the token died with its session
  });
});
