import { migrateToLatest } from '@0bit/db/migrate';
import * as m0001 from '@0bit/db/migrations/0001_initial';
import * as m0002 from '@0bit/db/migrations/0002_webhooks';
import * as m0003 from '@0bit/db/migrations/0003_embed_branding';
import * as m0004 from '@0bit/db/migrations/0004_quotas';
import * as m0005 from '@0bit/db/migrations/0005_exchange';
import * as m0006 from '@0bit/db/migrations/0006_widget';
import { fromUnits, toUnits } from '@0bit/markets';
import { freshDatabase } from '@0bit/testing/database';
import { type Kysely, Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createSandboxRamp, type RampProviders, TEST_CARDS } from '../src/domain/ramp/providers.ts';
import { providerReference, recoverInFlightIntents } from '../src/domain/ramp/widget.ts';
import { expireDue } from '../src/domain/sessions.ts';
import { bearer, SPEC_ORIGIN, useTestServer, WIDGET_ORIGINS, writeHeaders } from './support/server.ts';

/**
 * Money moves once (DESIGN.md, issue #14 finding 4): whatever the widget (or an attacker holding its embed
 * token) sends, a session is paid for by one card charge, one crypto send and one fiat payout at most,
 * counted where they happen — at the sandbox providers.
 */
const sandbox = createSandboxRamp();
const { ledger } = sandbox;

/** Faults at the outside edge: a provider call that hangs, or a process that dies around it. */
const faults: {
  /** How long every provider call takes, as a real acquirer's or chain's would. */
  latencyMs: number;
  /** Wait for this before the card rail answers (a slow acquirer). */
  holdCharge?: Promise<void> | undefined;
  /** The process dies before (nothing reaches the provider) or after the provider acted (answer lost). */
  crashCharge?: 'before' | 'after' | undefined;
  crashPayout?: 'before' | 'after' | undefined;
} = { latencyMs: 40 };
const latency = () => new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
class SimulatedCrash extends Error {}

const providers: RampProviders = {
  ...sandbox,
  cards: {
    charge: async (input) => {
      if (faults.holdCharge) await faults.holdCharge;
      await latency();
      if (faults.crashCharge === 'before') throw new SimulatedCrash('process died before the charge');
      const result = await sandbox.cards.charge(input);
      if (faults.crashCharge === 'after') throw new SimulatedCrash('process died after the charge');
      return result;
    },
    lookup: (reference) => sandbox.cards.lookup(reference),
  },
  settlement: {
    sendCrypto: async (input) => {
      await latency();
      return sandbox.settlement.sendCrypto(input);
    },
    depositAddress: (token, network, reference) =>
      sandbox.settlement.depositAddress(token, network, reference),
    findSend: (reference) => sandbox.settlement.findSend(reference),
    findPayout: (reference) => sandbox.settlement.findPayout(reference),
    findDeposit: (input) => sandbox.settlement.findDeposit(input),
    simulateDeposit: (input) => sandbox.settlement.simulateDeposit!(input),
    payFiat: async (input) => {
      await latency();
      if (faults.crashPayout === 'before') throw new SimulatedCrash('process died before the payout');
      const result = await sandbox.settlement.payFiat(input);
      if (faults.crashPayout === 'after') throw new SimulatedCrash('process died after the payout');
      return result;
    },
  },
};

const server = useTestServer({ rampProviders: { test: providers, live: null } });
const N = 6;
const WALLET = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const OTHER_WALLET = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const CARD = { number: TEST_CARDS.success, exp_month: 12, exp_year: 2030, cvc: '123' };
/** A sell's or swap's confirm in test mode: the sandbox records the quoted deposit as arrived first. */
const DEPOSIT_SENT = { simulate_deposit: true };

async function widgetFor(body: Record<string, unknown> = {}) {
  const { keys } = await server.partner();
  const session = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(keys.test.secret_key),
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
    headers: { ...bearer(keys.test.publishable_key), origin: SPEC_ORIGIN },
    body: { clientSecret: session.body.client_secret },
  });
  expect(boot.status, JSON.stringify(boot.body)).toBe(200);
  const call = (path: string, payload: unknown = {}) =>
    server.call('POST', path, {
      headers: { 'x-embed-token': boot.body.token, origin: WIDGET_ORIGINS.test },
      body: payload,
    });
  const sessionId = session.body.id as string;
  const verify = () =>
    call('/v1/embed/kyc', {
      first_name: 'Ada',
      last_name: 'Lovelace',
      date_of_birth: '1990-01-01',
      country: 'DE',
    });
  // Sells and swaps verify before a deposit address is issued (KYC on every flow, issue #15).
  if (body.flow === 'off_ramp' || body.flow === 'swap') await verify();
  return {
    keys,
    sessionId,
    call,
    verify,
    buy: (wallet = WALLET) =>
      call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', wallet_address: wallet }),
    confirm: (id: string, payload: unknown = {}) => call(`/v1/embed/intents/${id}/confirm`, payload),
    /** What the database holds: the intents of this session and its completion events. */
    intents: () =>
      server.database.db
        .selectFrom('widget_intents')
        .selectAll()
        .where('session_id', '=', sessionId)
        .orderBy('created_at')
        .execute(),
    completions: async () =>
      (
        await server.database.db
          .selectFrom('events')
          .select('id')
          .where('session_id', '=', sessionId)
          .where('type', '=', 'gate_session.completed')
          .execute()
      ).length,
    status: async () =>
      (
        await server.call('GET', `/v1/gate_sessions/${sessionId}`, {
          headers: bearer(keys.test.secret_key),
        })
      ).body.status as string,
  };
}

/** Counts at the providers since `mark()`: the ledger is shared by every test of this file. */
function mark() {
  const at = { charges: ledger.charges.length, sends: ledger.sends.length, payouts: ledger.payouts.length };
  return () => ({
    charges: ledger.charges.length - at.charges,
    sends: ledger.sends.length - at.sends,
    payouts: ledger.payouts.length - at.payouts,
  });
}

describe(`money moves once: ${N} intents of one session confirmed at once`, () => {
  it('buy: one card charge, one crypto send, one completion, no intent left processing', async () => {
    const w = await widgetFor();
    await w.verify();
    const moved = mark();
    const created = await Promise.all(Array.from({ length: N }, () => w.buy()));
    for (const c of created) expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(new Set(created.map((c) => c.body.id)).size).toBe(1); // the same choice is the same intent
    const confirms = await Promise.all(created.map((c) => w.confirm(c.body.id, { card: CARD })));
    const succeeded = confirms.filter((c) => c.status === 200 && c.body.status === 'succeeded');
    expect(succeeded).toHaveLength(1);
    for (const c of confirms) if (c !== succeeded[0]) expect(c.status, JSON.stringify(c.body)).toBe(409);
    expect(moved()).toEqual({ charges: 1, sends: 1, payouts: 0 });
    expect(await w.completions()).toBe(1);
    expect(await w.status()).toBe('completed');
    const rows = await w.intents();
    expect(rows.filter((r) => r.status === 'processing')).toEqual([]);
    expect(rows.filter((r) => r.status === 'succeeded')).toHaveLength(1);
  });

  it('buy with intents for different wallets: still one charge and one send', async () => {
    const w = await widgetFor();
    await w.verify();
    const moved = mark();
    const created = await Promise.all(
      Array.from({ length: N }, (_, i) => w.buy(i % 2 ? WALLET : OTHER_WALLET)),
    );
    const ids = created.filter((c) => c.status === 200).map((c) => c.body.id as string);
    const confirms = await Promise.all(ids.map((id) => w.confirm(id, { card: CARD })));
    expect(confirms.filter((c) => c.body.status === 'succeeded')).toHaveLength(1);
    expect(confirms.every((c) => c.status === 200 || c.status === 409)).toBe(true);
    expect(moved()).toEqual({ charges: 1, sends: 1, payouts: 0 });
    expect(await w.completions()).toBe(1);
    expect((await w.intents()).filter((r) => r.status === 'processing')).toEqual([]);
  });

  it('sell to an IBAN: one fiat payout, one completion', async () => {
    const w = await widgetFor({ flow: 'off_ramp', target_token: 'BTC', target_network: 'bitcoin' });
    const moved = mark();
    const created = await Promise.all(
      Array.from({ length: N }, () =>
        w.call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', iban: IBAN }),
      ),
    );
    for (const c of created) expect(c.status, JSON.stringify(c.body)).toBe(200);
    const confirms = await Promise.all(created.map((c) => w.confirm(c.body.id, DEPOSIT_SENT)));
    expect(confirms.filter((c) => c.body.status === 'succeeded')).toHaveLength(1);
    expect(moved()).toEqual({ charges: 0, sends: 1, payouts: 1 });
    expect(await w.completions()).toBe(1);
    expect((await w.intents()).filter((r) => r.status === 'processing')).toEqual([]);
  });

  it('swap: one crypto send, one completion', async () => {
    const w = await widgetFor({ flow: 'swap', target_token: 'USDC', target_network: 'arbitrum' });
    const moved = mark();
    const body = {
      amount: '100.00',
      currency: 'EUR',
      from_token: 'USDT',
      from_network: 'tron',
      wallet_address: WALLET,
    };
    const created = await Promise.all(Array.from({ length: N }, () => w.call('/v1/embed/intents', body)));
    for (const c of created) expect(c.status, JSON.stringify(c.body)).toBe(200);
    const confirms = await Promise.all(created.map((c) => w.confirm(c.body.id, DEPOSIT_SENT)));
    expect(confirms.filter((c) => c.body.status === 'succeeded')).toHaveLength(1);
    expect(moved()).toEqual({ charges: 0, sends: 1, payouts: 0 });
    expect(await w.completions()).toBe(1);
    expect((await w.intents()).filter((r) => r.status === 'processing')).toEqual([]);
  });
});

describe('one active intent per session', () => {
  it('a reloaded widget gets the open intent back; other details replace it; a paying one answers 409', async () => {
    const w = await widgetFor();
    await w.verify();
    const first = await w.buy();
    const again = await w.buy();
    expect(again.body.id).toBe(first.body.id); // same details: the open intent, so the widget continues
    const other = await w.buy(OTHER_WALLET);
    expect(other.status).toBe(200);
    expect(other.body.id).not.toBe(first.body.id);
    const old = await w.confirm(first.body.id, { card: CARD });
    expect(old.status).toBe(409);
    expect(old.body.message).toContain('superseded');
    const rows = await w.intents();
    expect(rows.map((r) => [r.status, r.failure_reason])).toEqual([
      ['failed', 'superseded'],
      ['requires_payment', null],
    ]);

    // While a confirm is paying, nothing replaces its intent.
    let release!: () => void;
    faults.holdCharge = new Promise((resolve) => {
      release = resolve;
    });
    try {
      const paying = w.confirm(other.body.id, { card: CARD });
      for (let i = 0; i < 100 && (await w.intents()).at(-1)?.status !== 'processing'; i++)
        await new Promise((r) => setTimeout(r, 20));
      const blocked = await w.buy();
      expect(blocked.status).toBe(409);
      expect(blocked.body.message).toContain('being paid');
      release();
      expect((await paying).body.status).toBe('succeeded');
    } finally {
      faults.holdCharge = undefined;
      release();
    }
  });

  it('the partner cannot cancel a session under a payment in flight (409); the payment completes it', async () => {
    const w = await widgetFor();
    await w.verify();
    const intent = await w.buy();
    let release!: () => void;
    faults.holdCharge = new Promise((resolve) => {
      release = resolve;
    });
    try {
      const paying = w.confirm(intent.body.id, { card: CARD });
      for (let i = 0; i < 100 && (await w.intents())[0]?.status !== 'processing'; i++)
        await new Promise((r) => setTimeout(r, 20));
      const cancel = await server.call('POST', `/v1/gate_sessions/${w.sessionId}/cancel`, {
        headers: writeHeaders(w.keys.test.secret_key),
      });
      expect(cancel.status).toBe(409);
      expect(cancel.body.message).toContain('payment in flight');
      release();
      expect((await paying).body.status).toBe('succeeded');
      expect(await w.status()).toBe('completed');
      expect(await w.completions()).toBe(1);
    } finally {
      faults.holdCharge = undefined;
      release();
    }
  });

  it('the database refuses a second active intent for a session', async () => {
    const w = await widgetFor();
    const first = await w.buy();
    const row = (await w.intents())[0]!;
    await expect(
      server.database.db
        .insertInto('widget_intents')
        .values({ ...row, id: `${first.body.id.slice(0, 22)}ff` })
        .execute(),
    ).rejects.toThrow(/widget_intents_one_active|unique/);
  });
});

/**
 * Issue #14 follow-up (HIGH): a confirm racing the partner's cancel, the lazy expiry of a read, the expiry
 * sweep or a sandbox helper moved money while the session ended cancelled/expired, never completed
 * (PostgreSQL). Invariant, counted at the sandbox ledger: money moved ⇔ gate_session.completed.
 */
describe('a confirm racing a cancel, an expiry, the sweep or a sandbox helper', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const SELL = { flow: 'off_ramp', target_token: 'BTC', target_network: 'bitcoin' };

  /** What became of one session: what its intents moved at the providers, and how the session ended. */
  async function outcome(w: Awaited<ReturnType<typeof widgetFor>>) {
    const rows = await w.intents();
    const ours = (entry: { reference: string }) => rows.some((r) => entry.reference.startsWith(`${r.id}:`));
    const events = await server.database.db
      .selectFrom('events')
      .select('type')
      .where('session_id', '=', w.sessionId)
      .execute();
    const session = await server.database.db
      .selectFrom('gate_sessions')
      .select('status')
      .where('id', '=', w.sessionId)
      .executeTakeFirstOrThrow();
    return {
      moved: ledger.charges.some(ours) || ledger.sends.some(ours) || ledger.payouts.some(ours),
      completions: events.filter((e) => e.type === 'gate_session.completed').length,
      closes: events.filter((e) => e.type === 'gate_session.cancelled' || e.type === 'gate_session.expired')
        .length,
      status: session.status,
      processing: rows.filter((r) => r.status === 'processing').length,
    };
  }

  function judge(
    label: string,
    o: Awaited<ReturnType<typeof outcome>>,
    confirms: Array<{ status: number; body: { status?: string } }>,
  ) {
    const paid = confirms.some((c) => c.status === 200 && c.body.status === 'succeeded');
    const fine =
      o.processing === 0 &&
      o.moved === (o.completions === 1) &&
      o.completions + o.closes <= 1 &&
      (o.status === 'completed') === o.moved &&
      paid === o.moved;
    return fine ? null : `${label}: ${JSON.stringify({ ...o, confirms: confirms.map((c) => c.status) })}`;
  }

  it('cancel vs 8 confirms (sell and buy): money moved exactly when the session completed', async () => {
    const bad: string[] = [];
    for (const flow of ['off_ramp', 'on_ramp'] as const)
      for (let i = 0; i < 16; i++) {
        const w = await widgetFor(flow === 'off_ramp' ? SELL : {});
        if (flow === 'on_ramp') await w.verify();
        const created =
          flow === 'off_ramp'
            ? await w.call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', iban: IBAN })
            : await w.buy();
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        const confirms = Array.from({ length: 8 }, (_, k) =>
          sleep(k * 0.5).then(() =>
            w.confirm(created.body.id, flow === 'off_ramp' ? DEPOSIT_SENT : { card: CARD }),
          ),
        );
        const cancel = await sleep(i % 4).then(() =>
          server.call('POST', `/v1/gate_sessions/${w.sessionId}/cancel`, {
            headers: writeHeaders(w.keys.test.secret_key),
          }),
        );
        const answers = await Promise.all(confirms);
        expect([200, 409]).toContain(cancel.status);
        for (const c of answers) expect([200, 409], JSON.stringify(c.body)).toContain(c.status);
        const o = await outcome(w);
        expect(o.status).toBe(cancel.status === 200 ? 'cancelled' : 'completed');
        const problem = judge(`cancel ${flow} #${i}`, o, answers);
        if (problem) bad.push(problem);
      }
    expect(bad).toEqual([]);
  });

  it('expiry (sweep and lazy reads) vs confirm at the deadline: money moved exactly when the session completed', async () => {
    const bad: string[] = [];
    // 12 sessions, each raced at its own deadline: three lanes of four, so the lanes' waits for their
    // deadlines overlap. A lane's sweeps close the other lanes' due sessions too, which is one more closer
    // racing their confirms: the invariant holds for every session whoever closes it.
    const lane = async (first: number) => {
      for (let i = first; i < 12; i += 3) await race(i);
    };
    const race = async (i: number) => {
      // Room for the other lanes' traffic: expires_at must still be ≥ 1 s ahead when the create is checked.
      const deadline = Date.now() + 2500;
      const w = await widgetFor({ ...SELL, expires_at: new Date(deadline).toISOString() });
      const created = await w.call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', iban: IBAN });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await sleep(Math.max(0, deadline - Date.now() - 2 - (i % 6)));
      const closers = (async () => {
        for (let k = 0; k < 30; k++) {
          await (k % 3 === 2 ? w.status() : expireDue(server.database.db, null));
          await sleep(1);
        }
      })();
      const answer = await w.confirm(created.body.id, DEPOSIT_SENT);
      await closers;
      expect([200, 409], JSON.stringify(answer.body)).toContain(answer.status);
      const problem = judge(`expiry #${i}`, await outcome(w), [answer]);
      if (problem) bad.push(problem);
    };
    await Promise.all([0, 1, 2].map(lane));
    expect(bad).toEqual([]);
  }, 60_000);

  it('the sandbox complete helper vs confirm: one completion, by whichever got the session first', async () => {
    const bad: string[] = [];
    for (let i = 0; i < 8; i++) {
      const w = await widgetFor(SELL);
      const created = await w.call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', iban: IBAN });
      const confirm = w.confirm(created.body.id, DEPOSIT_SENT);
      const helper = await sleep(i % 4).then(() =>
        server.call('POST', `/v1/test_helpers/sessions/${w.sessionId}/complete`, {
          headers: bearer(w.keys.test.secret_key),
        }),
      );
      const answer = await confirm;
      expect([200, 409]).toContain(helper.status);
      const o = await outcome(w);
      // The helper completes the session without moving money; if it won, the confirm must not pay.
      const fine =
        o.processing === 0 &&
        o.completions === 1 &&
        (helper.status === 200
          ? !o.moved && answer.status === 409
          : o.moved && answer.body.status === 'succeeded');
      if (!fine)
        bad.push(`helper #${i}: ${JSON.stringify({ ...o, helper: helper.status, confirm: answer.status })}`);
    }
    expect(bad).toEqual([]);
  });
});

/**
 * Issue #14 follow-up (HIGH): a swap confirmed with `{}` and no deposit sent crypto and completed the
 * session; a sell paid fiat out on the user's word. The provider must have seen the deposit first.
 */
describe('sell and swap pay out only against a deposit the provider has seen', () => {
  const SWAP = { flow: 'swap', target_token: 'ETH', target_network: 'ethereum' };
  const swapIntent = {
    amount: '100.00',
    currency: 'EUR',
    wallet_address: WALLET,
    from_token: 'BTC',
    from_network: 'bitcoin',
  };
  const failures = (sessionId: string) =>
    server.database.db
      .selectFrom('events')
      .select('data')
      .where('session_id', '=', sessionId)
      .where('type', '=', 'gate_session.failed')
      .execute();

  for (const [flow, session, intent] of [
    ['swap', SWAP, swapIntent],
    [
      'sell',
      { flow: 'off_ramp', target_token: 'BTC', target_network: 'bitcoin' },
      { amount: '100.00', currency: 'EUR', iban: IBAN },
    ],
  ] as const)
    it(`${flow}: a confirm with no deposit answers 409 "deposit not received" and moves nothing; once it arrives, the confirm pays`, async () => {
      const w = await widgetFor(session);
      const created = await w.call('/v1/embed/intents', intent);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const moved = mark();
      for (const body of [{}, { simulate_deposit: false }]) {
        const early = await w.confirm(created.body.id, body);
        expect(early.status, JSON.stringify(early.body)).toBe(409);
        expect(early.body.message).toContain('Deposit not received yet');
        expect(early.body.message).toContain(created.body.deposit_address);
        expect(early.body.message).toContain('No money was moved');
      }
      expect(moved()).toEqual({ charges: 0, sends: 0, payouts: 0 });
      expect((await w.intents())[0]).toMatchObject({ status: 'requires_payment' });
      expect(await w.status()).toBe('open');
      expect(await w.completions()).toBe(0);

      // The chain sees the deposit (the sandbox records it), and the widget's next confirm pays.
      const paid = await w.confirm(created.body.id, DEPOSIT_SENT);
      expect(paid.status, JSON.stringify(paid.body)).toBe(200);
      expect(paid.body.status).toBe('succeeded');
      expect(moved()).toEqual({ charges: 0, sends: 1, payouts: flow === 'sell' ? 1 : 0 });
      expect(await w.completions()).toBe(1);
    });

  it('a deposit short of the quote, of another asset, or at another address does not pay', async () => {
    const w = await widgetFor(SWAP);
    const created = await w.call('/v1/embed/intents', swapIntent);
    const { deposit_address: address, source } = created.body;
    const moved = mark();
    const places = source.amount.split('.')[1]?.length ?? 0;
    const shortAmount = fromUnits(toUnits(source.amount, places)! - 1n, places);
    await sandbox.settlement.simulateDeposit!({
      address,
      token: 'BTC',
      network: 'bitcoin',
      amount: shortAmount,
    });
    const tooLittle = await w.confirm(created.body.id, {});
    expect(tooLittle.status).toBe(409);
    expect(tooLittle.body.message).toContain(`less than the ${source.amount} quoted`);

    const other = await widgetFor(SWAP);
    const otherIntent = await other.call('/v1/embed/intents', swapIntent);
    await sandbox.settlement.simulateDeposit!({
      address: otherIntent.body.deposit_address,
      token: 'ETH',
      network: 'ethereum',
      amount: '100',
    });
    await sandbox.settlement.simulateDeposit!({
      address: created.body.deposit_address.slice(0, -1),
      token: 'BTC',
      network: 'bitcoin',
      amount: '100',
    });
    expect((await other.confirm(otherIntent.body.id, {})).status).toBe(409);
    expect(moved()).toEqual({ charges: 0, sends: 0, payouts: 0 });
  });

  it('recovery re-checks the deposit: an intent claimed without one (an older version) fails, nothing is paid', async () => {
    const w = await widgetFor({ flow: 'off_ramp', target_token: 'BTC', target_network: 'bitcoin' });
    const created = await w.call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', iban: IBAN });
    const moved = mark();
    await server.database.db
      .updateTable('widget_intents')
      .set({ status: 'processing', phase: 'payout', attempt: 1 })
      .where('id', '=', created.body.id)
      .execute();
    const outcome = await recoverInFlightIntents(
      { db: server.database.db, providers: { test: providers, live: null } },
      { olderThanMs: 0 },
    );
    expect(outcome).toEqual({ succeeded: 0, failed: 1, unresolved: 0 });
    expect(moved()).toEqual({ charges: 0, sends: 0, payouts: 0 });
    expect((await w.intents())[0]).toMatchObject({
      status: 'failed',
      failure_reason: 'deposit_not_received',
    });
    expect(
      (await failures(w.sessionId)).map((e) => (e.data as { failure_reason: string }).failure_reason),
    ).toEqual(['deposit_not_received']);
    expect(await w.status()).toBe('open');
  });
});

describe("recovery after a crash between the claim and the provider's answer", () => {
  const recover = (olderThanMs = 0) =>
    recoverInFlightIntents(
      { db: server.database.db, providers: { test: providers, live: null } },
      { olderThanMs },
    );

  it('buy: the rail charged but the answer was lost → recovery finds the charge by reference, sends once, completes once', async () => {
    const w = await widgetFor();
    await w.verify();
    const intent = await w.buy();
    const moved = mark();
    faults.crashCharge = 'after';
    try {
      const died = await w.confirm(intent.body.id, { card: CARD });
      expect(died.status).toBe(503);
      expect(died.body.message).toContain('Do not pay again');
    } finally {
      faults.crashCharge = undefined;
    }
    expect((await w.intents())[0]).toMatchObject({ status: 'processing', phase: 'charge', attempt: 1 });
    expect(moved()).toEqual({ charges: 1, sends: 0, payouts: 0 });
    expect((await w.confirm(intent.body.id, { card: CARD })).status).toBe(409); // no second charge
    expect((await w.buy()).status).toBe(409); // nor a new intent while this one is in flight

    expect(await recover(60_000)).toEqual({ succeeded: 0, failed: 0, unresolved: 0 }); // not stale yet
    expect(await recover()).toEqual({ succeeded: 1, failed: 0, unresolved: 0 });
    expect(await recover()).toEqual({ succeeded: 0, failed: 0, unresolved: 0 });
    expect(moved()).toEqual({ charges: 1, sends: 1, payouts: 0 });
    const [row] = await w.intents();
    expect(row).toMatchObject({ status: 'succeeded', phase: null });
    expect(row!.charge_reference).toMatch(/^ch_/);
    expect(ledger.sends.at(-1)).toMatchObject({
      reference: providerReference.send(row!),
      hash: row!.tx_refid,
    });
    expect(await w.completions()).toBe(1);
    expect(await w.status()).toBe('completed');
  });

  it('buy: the process died before the rail got the charge → recovery fails the intent, the session stays open for a new one', async () => {
    const w = await widgetFor();
    await w.verify();
    const intent = await w.buy();
    const moved = mark();
    faults.crashCharge = 'before';
    try {
      expect((await w.confirm(intent.body.id, { card: CARD })).status).toBe(503);
    } finally {
      faults.crashCharge = undefined;
    }
    expect(await recover()).toEqual({ succeeded: 0, failed: 1, unresolved: 0 });
    expect((await w.intents())[0]).toMatchObject({ status: 'failed', failure_reason: 'interrupted' });
    expect(moved()).toEqual({ charges: 0, sends: 0, payouts: 0 });
    expect(await w.status()).toBe('open');
    const failed = await server.database.db
      .selectFrom('events')
      .select('data')
      .where('session_id', '=', w.sessionId)
      .where('type', '=', 'gate_session.failed')
      .execute();
    expect(failed.map((e) => (e.data as { failure_reason: string }).failure_reason)).toEqual(['interrupted']);
    const retry = await w.buy();
    expect((await w.confirm(retry.body.id, { card: CARD })).body.status).toBe('succeeded');
    expect(moved()).toEqual({ charges: 1, sends: 1, payouts: 0 });
    expect(await w.completions()).toBe(1);
  });

  it('a session does not expire under a payment in flight: recovery completes it after its deadline', async () => {
    const w = await widgetFor({ expires_at: new Date(Date.now() + 3_000).toISOString() });
    await w.verify();
    const intent = await w.buy();
    const moved = mark();
    faults.crashCharge = 'after';
    try {
      expect((await w.confirm(intent.body.id, { card: CARD })).status).toBe(503);
    } finally {
      faults.crashCharge = undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await expireDue(server.database.db, null); // the sweep
    expect(await w.status()).toBe('open'); // and the lazy expiry of a read
    expect(await recover()).toEqual({ succeeded: 1, failed: 0, unresolved: 0 });
    expect(await w.status()).toBe('completed');
    expect(await w.completions()).toBe(1);
    expect(moved()).toEqual({ charges: 1, sends: 1, payouts: 0 });
  });

  for (const when of ['before', 'after'] as const)
    it(`sell: the process died ${when} the payout → recovery pays out exactly once and completes once`, async () => {
      const w = await widgetFor({ flow: 'off_ramp', target_token: 'BTC', target_network: 'bitcoin' });
      const intent = await w.call('/v1/embed/intents', { amount: '100.00', currency: 'EUR', iban: IBAN });
      const moved = mark();
      faults.crashPayout = when;
      try {
        expect((await w.confirm(intent.body.id, DEPOSIT_SENT)).status).toBe(503);
      } finally {
        faults.crashPayout = undefined;
      }
      expect((await w.intents())[0]).toMatchObject({ status: 'processing', phase: 'payout' });
      expect(moved().payouts).toBe(when === 'after' ? 1 : 0);
      expect(await recover()).toEqual({ succeeded: 1, failed: 0, unresolved: 0 });
      expect(moved()).toEqual({ charges: 0, sends: 1, payouts: 1 });
      expect((await w.intents())[0]).toMatchObject({
        status: 'succeeded',
        payout_reference: expect.stringMatching(/^po_/),
      });
      expect(await w.completions()).toBe(1);
    });
});

describe('sandbox providers treat the reference as an idempotency key', () => {
  it('a repeated reference answers the first result and moves no money; lookups find it; other details are refused', async () => {
    const own = createSandboxRamp();
    const charge = {
      number: TEST_CARDS.success,
      amount: '100.00',
      currency: 'EUR',
      reference: 'i1:charge:1',
    };
    const [a, b] = await Promise.all([own.cards.charge(charge), own.cards.charge(charge)]);
    const c = await own.cards.charge(charge);
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(own.ledger.charges).toHaveLength(1);
    expect(await own.cards.lookup('i1:charge:1')).toEqual(a);
    expect(await own.cards.lookup('i1:charge:2')).toBeNull();
    await expect(own.cards.charge({ ...charge, amount: '1.00' })).rejects.toThrow(/other details/);
    expect(own.ledger.charges).toHaveLength(1);

    const send = {
      token: 'USDT',
      network: 'arbitrum',
      address: WALLET,
      amount: '106.28',
      reference: 'i1:send',
    };
    const hashes = await Promise.all([1, 2, 3].map(() => own.settlement.sendCrypto(send)));
    expect(new Set(hashes).size).toBe(1);
    expect(own.ledger.sends).toHaveLength(1);
    expect(await own.settlement.findSend('i1:send')).toBe(hashes[0]);
    expect(await own.settlement.findSend('i2:send')).toBeNull();

    const payout = {
      iban: 'DE89370400440532013000',
      amount: '100.00',
      currency: 'EUR',
      reference: 'i3:payout',
    };
    const payouts = await Promise.all([1, 2, 3].map(() => own.settlement.payFiat(payout)));
    expect(new Set(payouts).size).toBe(1);
    expect(own.ledger.payouts).toHaveLength(1);
    expect(await own.settlement.findPayout('i3:payout')).toBe(payouts[0]);
    await expect(own.settlement.payFiat({ ...payout, iban: 'GB82WEST12345698765432' })).rejects.toThrow(
      /other details/,
    );
    expect(own.ledger.payouts).toHaveLength(1);
  });
});

describe('migration 0007 with existing data', () => {
  it('closes the extra active intents of a session instead of failing to create the one-active index', async () => {
    const database = await freshDatabase({ migrate: false });
    try {
      const db = database.db as unknown as Kysely<unknown>;
      const upTo0006 = new Migrator({
        db,
        provider: {
          getMigrations: async () => ({
            '0001_initial': m0001,
            '0002_webhooks': m0002,
            '0003_embed_branding': m0003,
            '0004_quotas': m0004,
            '0005_exchange': m0005,
            '0006_widget': m0006,
          }),
        },
      });
      const { error } = await upTo0006.migrateTo('0006_widget');
      expect(error).toBeUndefined();
      await sql`INSERT INTO partners (id, name) VALUES ('p1', 'Partner')`.execute(db);
      const session = (id: string, status: string) =>
        sql`INSERT INTO gate_sessions (id, partner_id, mode, status, amount, currency, return_url, client_secret_hash, expires_at)
            VALUES (${id}, 'p1', 'test', ${status}, '100.00', 'EUR', 'https://partner.example', ${`h_${id}`}, now() + interval '1 hour')`.execute(
          db,
        );
      await session('s_open', 'open');
      await session('s_done', 'completed');
      const intent = (id: string, sessionId: string, status: string, minutesAgo: number) =>
        sql`INSERT INTO widget_intents (id, session_id, flow, status, fiat_amount, fiat_currency, token, network, crypto_amount, destination, created_at)
            VALUES (${id}, ${sessionId}, 'on_ramp', ${status}, '100.00', 'EUR', 'USDT', 'arbitrum', '106.28', ${WALLET}, now() - make_interval(mins => ${minutesAgo}))`.execute(
          db,
        );
      await intent('a_old', 's_open', 'requires_payment', 30);
      await intent('a_paying', 's_open', 'processing', 20);
      await intent('a_new', 's_open', 'requires_action', 10);
      await intent('a_newest', 's_open', 'requires_payment', 5);
      await intent('b_done', 's_done', 'succeeded', 10);
      await intent('b_stuck', 's_done', 'processing', 9);
      await intent('b_open', 's_done', 'requires_payment', 8);

      expect(await migrateToLatest(database.db)).toContain('0007_money_moves_once');
      const rows = await database.db
        .selectFrom('widget_intents')
        .select(['id', 'status', 'failure_reason'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: 'a_new', status: 'failed', failure_reason: 'superseded' },
        { id: 'a_newest', status: 'failed', failure_reason: 'superseded' },
        { id: 'a_old', status: 'failed', failure_reason: 'superseded' },
        { id: 'a_paying', status: 'processing', failure_reason: null }, // recovery resolves it
        { id: 'b_done', status: 'succeeded', failure_reason: null },
        { id: 'b_open', status: 'failed', failure_reason: 'abandoned' },
        { id: 'b_stuck', status: 'failed', failure_reason: 'abandoned_in_flight' },
      ]);
    } finally {
      await database.close();
    }
  });
});
