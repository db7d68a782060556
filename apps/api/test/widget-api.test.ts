import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode } from '@0bit/core/scope';
import { REPO_ROOT, runCommand } from '@0bit/testing/process';
import { startReceiver, verifiedByOpenssl } from '@0bit/testing/receiver';
import { describe, expect, it } from 'vitest';
import { TEST_CARDS, TEST_THREE_DS_CODE } from '../src/domain/ramp/providers.ts';
import { bearer, SPEC_ORIGIN, useTestServer, WIDGET_ORIGINS, writeHeaders } from './support/server.ts';

const server = useTestServer({ webhooks: {} });
const WALLET = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const CARD = { number: TEST_CARDS.success, exp_month: 12, exp_year: 2030, cvc: '123' };

/** A session, its embed token (bootstrapped by the partner page), and calls as the hosted widget makes them. */
async function widgetFor(body: Record<string, unknown> = {}, mode: Mode = 'test') {
  const { keys, partner } = await server.partner();
  const receiver = await startReceiver();
  const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
    headers: bearer(keys[mode].secret_key),
    body: { url: receiver.url },
  });
  const session = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(keys[mode].secret_key),
    body: {
      amount: '100.00',
      currency: 'EUR',
      return_url: 'https://partner.example/done',
      target_token: 'USDT',
      target_network: 'arbitrum',
      ...body,
    },
  });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  const boot = await server.call('POST', '/v1/embed/bootstrap', {
    headers: { ...bearer(keys[mode].publishable_key), origin: SPEC_ORIGIN },
    body: { clientSecret: session.body.client_secret },
  });
  const call = (path: string, payload: unknown = {}, origin = WIDGET_ORIGINS[mode]) =>
    server.call('POST', path, { headers: { 'x-embed-token': boot.body.token, origin }, body: payload });
  return {
    keys,
    partner,
    session: session.body,
    call,
    receiver,
    secret: endpoint.body.secret as string,
    token: boot.body.token as string,
    /** The widget's buy intent for exactly the session's amount, to the test wallet. */
    buyIntent: () => call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', wallet_address: WALLET }),
    /** Simulated KYC with a name that passes. */
    verify: () =>
      call('/v1/embed/kyc', {
        first_name: 'Ada',
        last_name: 'Lovelace',
        date_of_birth: '1990-01-01',
        country: 'DE',
      }),
  };
}

async function eventsOf(receiver: Awaited<ReturnType<typeof startReceiver>>, secret: string, count: number) {
  const deliveries = await receiver.waitFor(count);
  for (const d of deliveries)
    expect(verifiedByOpenssl(String(d.headers['gate-signature']), d.body, secret)).toBe(true);
  return deliveries.map((d) => JSON.parse(d.body));
}

describe('widget API (/v1/embed/…)', () => {
  it('buys: quote with fees → KYC → card → completed session, and a verified gate_session.completed with the tx', async () => {
    const w = await widgetFor();
    try {
      const quote = await w.call('/v1/embed/quote');
      expect(quote.body).toMatchObject({
        flow: 'on_ramp',
        amount: '100.00',
        currency: 'EUR',
        crypto: { token: 'USDT', network: 'arbitrum', amount: '106.28' },
        fees: { processing: '1.50', network: '0.1' },
        kyc_required: true,
      });
      const intent = await w.buyIntent();
      expect(intent.body).toMatchObject({ status: 'requires_payment', destination: WALLET });
      const early = await w.call(`/v1/embed/intents/${intent.body.id}/confirm`, { card: CARD });
      expect(early.status).toBe(403);
      expect(early.body.message).toContain('/v1/embed/kyc');
      const kyc = await w.verify();
      expect(kyc.body).toMatchObject({ status: 'verified' });
      const paid = await w.call(`/v1/embed/intents/${intent.body.id}/confirm`, { card: CARD });
      expect(paid.body).toMatchObject({
        status: 'succeeded',
        tx_refid: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        // The session's return_url with its id and status appended, signed (issue #15).
        return_url: expect.stringMatching(
          /^https:\/\/partner\.example\/done\?gate_session_id=[0-9a-f]{24}&gate_status=completed&gate_timestamp=\d+&gate_signature=[0-9a-f]{64}$/,
        ),
      });
      const read = await server.call('GET', `/v1/gate_sessions/${w.session.id}`, {
        headers: bearer(w.keys.test.secret_key),
      });
      expect(read.body.status).toBe('completed');
      // The widget needed a verification: kyc.required went through the outbox, once (issue #15).
      const events = await eventsOf(w.receiver, w.secret, 3);
      expect(events.map((e) => e.type)).toEqual([
        'gate_session.created',
        'kyc.required',
        'gate_session.completed',
      ]);
      expect(events[1].data).toEqual({
        session_id: w.session.id,
        partner_id: w.partner.id,
        mode: 'test',
        user_reference: null,
        reason: 'verification_required',
        failure_reason: null,
      });
      expect(events[2].data.tx_refid).toBe(paid.body.tx_refid);
      const after = await w.call('/v1/embed/quote');
      expect(after.status).toBe(409); // the token dies with its session
    } finally {
      await w.receiver.close();
    }
  });

  it('declines a card: the intent fails, gate_session.failed is sent, the session stays open for a new attempt', async () => {
    const w = await widgetFor();
    try {
      await w.verify();
      const intent = await w.buyIntent();
      const declined = await w.call(`/v1/embed/intents/${intent.body.id}/confirm`, {
        card: { ...CARD, number: TEST_CARDS.declined },
      });
      expect(declined.body).toMatchObject({ status: 'failed', failure_reason: 'card_declined' });
      const again = await w.call(`/v1/embed/intents/${intent.body.id}/confirm`, { card: CARD });
      expect(again.status).toBe(409);
      const events = await eventsOf(w.receiver, w.secret, 2);
      expect(events[1]).toMatchObject({
        type: 'gate_session.failed',
        data: { id: w.session.id, status: 'open', failure_reason: 'card_declined' },
      });
      const retry = await w.buyIntent();
      expect((await w.call(`/v1/embed/intents/${retry.body.id}/confirm`, { card: CARD })).body.status).toBe(
        'succeeded',
      );
    } finally {
      await w.receiver.close();
    }
  });

  it('answers a 3-D Secure challenge: requires_action, then the right code pays and a wrong one fails', async () => {
    const w = await widgetFor();
    try {
      await w.verify();
      const card = { ...CARD, number: TEST_CARDS.threeDs };
      const first = await w.buyIntent();
      const challenged = await w.call(`/v1/embed/intents/${first.body.id}/confirm`, { card });
      expect(challenged.body).toMatchObject({
        status: 'requires_action',
        next_action: { type: 'three_ds_challenge' },
      });
      const wrong = await w.call(`/v1/embed/intents/${first.body.id}/confirm`, {
        card,
        three_ds_code: '000000',
      });
      expect(wrong.body).toMatchObject({ status: 'failed', failure_reason: 'three_ds_failed' });
      const second = await w.buyIntent();
      await w.call(`/v1/embed/intents/${second.body.id}/confirm`, { card });
      const ok = await w.call(`/v1/embed/intents/${second.body.id}/confirm`, {
        card,
        three_ds_code: TEST_THREE_DS_CODE,
      });
      expect(ok.body.status).toBe('succeeded');
    } finally {
      await w.receiver.close();
    }
  });

  it('sells to a test IBAN and swaps token to token, each completing the session', async () => {
    const sell = await widgetFor({ flow: 'off_ramp', target_token: 'BTC', target_network: 'bitcoin' });
    const swap = await widgetFor({ flow: 'swap', target_token: 'USDC', target_network: 'arbitrum' });
    try {
      await sell.verify();
      await swap.verify();
      const bad = await sell.call('/v1/embed/intents', {
        amount: '100.00',
        currency: 'EUR',
        iban: 'DE00370400440532013000',
      });
      expect(bad.status).toBe(422);
      const sold = await sell.call('/v1/embed/intents', {
        amount: '100.00',
        currency: 'EUR',
        iban: 'DE89 3704 0044 0532 0130 00',
      });
      expect(sold.body).toMatchObject({
        flow: 'off_ramp',
        crypto: { token: 'BTC', amount: '0.001827' },
        destination: 'DE89 •••• 3000',
        deposit_address: expect.stringMatching(/^bc1q/),
      });
      expect(
        (await sell.call(`/v1/embed/intents/${sold.body.id}/confirm`, { simulate_deposit: true })).body
          .status,
      ).toBe('succeeded');

      const swapQuote = await swap.call('/v1/embed/quote', { from_token: 'USDT', from_network: 'tron' });
      expect(swapQuote.body).toMatchObject({
        flow: 'swap',
        source: { token: 'USDT', network: 'tron' },
        crypto: { token: 'USDC', network: 'arbitrum' },
      });
      const swapped = await swap.call('/v1/embed/intents', {
        amount: '100.00',
        currency: 'EUR',
        from_token: 'USDT',
        from_network: 'tron',
        wallet_address: WALLET,
      });
      expect(swapped.body.deposit_address).toMatch(/^T/);
      expect(
        (await swap.call(`/v1/embed/intents/${swapped.body.id}/confirm`, { simulate_deposit: true })).body
          .status,
      ).toBe('succeeded');
      const locked = await swap.call('/v1/embed/quote', { flow: 'on_ramp' });
      expect(locked.status).toBe(409); // completed now; before, a locked flow answers 403 (next test)
    } finally {
      await sell.receiver.close();
      await swap.receiver.close();
    }
  });

  it('refuses what the widget must never do: another amount, a bad wallet, another flow, another origin; live has no provider', async () => {
    const w = await widgetFor({ flow: 'on_ramp' });
    const live = await widgetFor({}, 'live');
    try {
      const amount = await w.call('/v1/embed/intents', {
        amount: '99.99',
        currency: 'EUR',
        wallet_address: WALLET,
      });
      expect(amount.status).toBe(422);
      expect(amount.body.message[0]).toContain("must equal the session's exactly (100.00 EUR)");
      const wallet = await w.call('/v1/embed/intents', {
        amount: '100.00',
        currency: 'EUR',
        wallet_address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD',
      });
      expect(wallet.body.message[0]).toContain('not a valid arbitrum address');
      expect((await w.call('/v1/embed/quote', { flow: 'swap' })).status).toBe(403);
      expect((await w.call('/v1/embed/quote', {}, SPEC_ORIGIN)).status).toBe(403);
      const unavailable = await live.call('/v1/embed/quote');
      expect(unavailable.status).toBe(503);
      expect(unavailable.body.message).toContain('No money was moved');
    } finally {
      await w.receiver.close();
      await live.receiver.close();
    }
  });

  it('runs the docs/widget-api.md example as written', async () => {
    const w = await widgetFor();
    try {
      const doc = readFileSync(join(REPO_ROOT, 'docs/widget-api.md'), 'utf8');
      const script = /<!-- widget-api-example -->\s*```bash\n([\s\S]*?)```/.exec(doc)![1]!;
      const run = await runCommand('bash', ['-euo', 'pipefail', '-c', script], {
        env: { API: server.baseUrl, TOKEN: w.token, WIDGET_ORIGIN: WIDGET_ORIGINS.test },
      });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toMatchObject({
        status: 'succeeded',
        tx_refid: expect.stringMatching(/^0x/),
      });
    } finally {
      await w.receiver.close();
    }
  });
});
