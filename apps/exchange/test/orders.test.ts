import { randomBytes } from 'node:crypto';
import { opensslHmac, type Received, startReceiver } from '@0bit/testing/receiver';
import { describe, expect, it } from 'vitest';
import {
  type Credentials,
  eventually,
  FLOAT_ORDER,
  SANDBOX_ADDRESSES,
  useExchangeServer,
} from './support/server.ts';

const server = useExchangeServer({ webhooks: true, config: { fixedRateTtlSeconds: 2 } });

const CREATE = FLOAT_ORDER;

/** A partner whose webhook URL the operator pointed at a local receiver. */
async function partnerWithReceiver() {
  const creds = await server.onboard();
  const receiver = await startReceiver();
  const set = await server.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/webhook`, {
    environment: 'sandbox',
    url: receiver.url,
  });
  expect(set.body).toMatchObject({ code: 0, data: { url: receiver.url } });
  return { creds, receiver };
}

/** What every receiver must check (quickstart step 4), done with openssl: an implementation independent of ours. */
function verify(delivery: Received, creds: Credentials) {
  const sign = delivery.headers['x-partner-webhook-sign'];
  expect(sign).toBe(opensslHmac(creds.webhookSecret, delivery.body));
  const age = Math.floor(Date.now() / 1000) - Number(delivery.headers['x-partner-webhook-timestamp']);
  expect(age).toBeGreaterThanOrEqual(-60);
  expect(age).toBeLessThanOrEqual(300);
  const event = JSON.parse(delivery.body);
  expect(delivery.headers['x-partner-webhook-id']).toBe(event.id);
  return event as {
    id: string;
    type: string;
    createdAt: number;
    data: { id: string; status: string };
  };
}

async function statusesFor(
  receiver: Awaited<ReturnType<typeof startReceiver>>,
  creds: Credentials,
  orderId: string,
  count: number,
) {
  const deliveries = await receiver.waitFor(count);
  return deliveries
    .map((d) => verify(d, creds))
    .filter((e) => e.data.id === orderId)
    .map((e) => e.data.status);
}

describe('orders in the sandbox', () => {
  it('walks NEW → PENDING → EXCHANGE → DONE, each step a verified webhook, and /order agrees', async () => {
    const { creds, receiver } = await partnerWithReceiver();
    try {
      const created = await server.signed('/api/v1/create', CREATE, creds, {
        'idempotency-key': randomBytes(12).toString('hex'),
      });
      expect(created.body).toMatchObject({
        code: 0,
        data: { status: 'NEW', from: { amount: '0.01', reqConfirmations: 2 } },
      });
      const { id, token } = created.body.data;
      expect(token).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(created.body.data.from.address).toMatch(/^bc1q/);
      const stored = await server.database.db
        .selectFrom('exchange_orders')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(stored)).not.toContain(token);

      const seen = await server.signed('/api/v1/sandbox/deposit', { id, confirmations: 1 }, creds);
      expect(seen.body.data).toMatchObject({
        status: 'PENDING',
        from: { tx: { confirmations: 1, amount: '0.01' } },
      });
      const confirmed = await server.signed('/api/v1/sandbox/deposit', { id }, creds);
      expect(confirmed.body.data.status).toBe('EXCHANGE');
      const done = await eventually(async () => {
        const order = await server.signed('/api/v1/order', { id, token }, creds);
        return order.body.data.status === 'DONE' ? order.body.data : undefined;
      });
      expect(done.to).toMatchObject({
        amount: '596',
        tx: { id: expect.stringMatching(/^[0-9a-f]{64}$/), amount: '596' },
      });
      expect(await statusesFor(receiver, creds, id, 4)).toEqual(['NEW', 'PENDING', 'EXCHANGE', 'DONE']);
      const wrongToken = await server.signed('/api/v1/order', { id, token: `${token.slice(0, -1)}x` }, creds);
      expect(wrongToken.body).toMatchObject({ code: 7, msg: 'ORDER_NOT_FOUND' });
      const otherPartner = await server.signed('/api/v1/order', { id, token }, await server.onboard());
      expect(otherPartner.body.code).toBe(7);
    } finally {
      await receiver.close();
    }
  });

  it('reprices a float order for what actually arrived', async () => {
    const creds = await server.onboard();
    const { id, token } = (await server.signed('/api/v1/create', CREATE, creds)).body.data;
    await server.signed('/api/v1/sandbox/deposit', { id, amount: '0.02' }, creds);
    const done = await eventually(async () => {
      const order = (await server.signed('/api/v1/order', { id, token }, creds)).body.data;
      return order.status === 'DONE' ? order : undefined;
    });
    expect(done.from.tx.amount).toBe('0.02');
    expect(done.to.amount).toBe('1193'); // 0.02 × 59 700 − 1
  });

  it('sends a deposit outside the limits to EMERGENCY, where only a refund is possible, then REFUNDED', async () => {
    const { creds, receiver } = await partnerWithReceiver();
    try {
      const { id, token } = (await server.signed('/api/v1/create', CREATE, creds)).body.data;
      const emergency = await server.signed('/api/v1/sandbox/deposit', { id, amount: '0.0001' }, creds);
      expect(emergency.body.data).toMatchObject({
        status: 'EMERGENCY',
        emergency: { reason: 'LIMITS', choice: null, actions: ['REFUND'] },
      });
      const exchange = await server.signed('/api/v1/emergency', { id, token, choice: 'EXCHANGE' }, creds);
      expect(exchange.body).toMatchObject({ code: 5, msg: 'AMOUNT_OUT_OF_RANGE' });
      const badAddress = await server.signed(
        '/api/v1/emergency',
        { id, token, choice: 'REFUND', address: 'nope' },
        creds,
      );
      expect(badAddress.body).toMatchObject({ code: 2, msg: 'INVALID_ADDRESS' });
      const refund = await server.signed('/api/v1/emergency', { id, token, choice: 'REFUND' }, creds);
      expect(refund.body.data.emergency).toMatchObject({ choice: 'REFUND', actions: [] });
      const refunded = await eventually(async () => {
        const order = (await server.signed('/api/v1/order', { id, token }, creds)).body.data;
        return order.status === 'REFUNDED' ? order : undefined;
      });
      expect(refunded.refund).toMatchObject({ address: SANDBOX_ADDRESSES.btc, tx: { amount: '0.00008' } }); // 0.0001 − 0.00002 fee
      expect(await statusesFor(receiver, creds, id, 4)).toEqual(['NEW', 'PENDING', 'EMERGENCY', 'REFUNDED']);
      const twice = await server.signed('/api/v1/emergency', { id, token, choice: 'REFUND' }, creds);
      expect(twice.body).toMatchObject({ code: 9, msg: 'INVALID_STATE' });
    } finally {
      await receiver.close();
    }
  });

  it('honours a fixed quote inside its lifetime, and sends a deposit after the rate expired to EMERGENCY → exchange at the new rate', async () => {
    const creds = await server.onboard();
    const terms = { type: 'fixed', fromCcy: 'btc', toCcy: 'usdt_trc20', direction: 'to', amount: '597' };
    // Fixed: 1 % service fee → 59 400; (597 + 1 network fee) / 59 400 = 0.0100673400… rounded up.
    const quoted = (await server.signed('/api/v1/price', terms, creds)).body.data;
    expect(quoted).toMatchObject({
      rate: '59400',
      from: { amount: '0.01006735' },
      quoteId: expect.any(String),
      expiresAt: expect.any(Number),
    });
    const order = (
      await server.signed('/api/v1/create', { ...CREATE, ...terms, quoteId: quoted.quoteId }, creds)
    ).body.data;
    expect(order.from.amount).toBe(quoted.from.amount);
    expect(order.rate.expiresAt).toBe(quoted.expiresAt);
    await new Promise((r) => setTimeout(r, 2100)); // fixedRateTtlSeconds: 2
    const late = await server.signed(
      '/api/v1/create',
      { ...CREATE, ...terms, quoteId: quoted.quoteId },
      creds,
    );
    expect(late.body).toMatchObject({ code: 6, msg: 'RATE_EXPIRED' });
    const deposit = await server.signed('/api/v1/sandbox/deposit', { id: order.id }, creds);
    expect(deposit.body.data).toMatchObject({
      status: 'EMERGENCY',
      emergency: { reason: 'RATE_EXPIRED', actions: ['EXCHANGE', 'REFUND'] },
    });
    const exchanged = await server.signed(
      '/api/v1/emergency',
      { id: order.id, token: order.token, choice: 'EXCHANGE' },
      creds,
    );
    expect(exchanged.body.data).toMatchObject({ status: 'EXCHANGE', emergency: { choice: 'EXCHANGE' } });
    const done = await eventually(async () => {
      const o = (await server.signed('/api/v1/order', { id: order.id, token: order.token }, creds)).body.data;
      return o.status === 'DONE' ? o : undefined;
    });
    expect(done.to.tx.amount).toBe(done.to.amount);
  });

  it('stores each of many concurrent fixed quotes (written together) as its own quote that create honours', async () => {
    const creds = await server.onboard();
    const amounts = Array.from({ length: 12 }, (_, i) => `${597 + i}`);
    const quotes = await Promise.all(
      amounts.map(async (amount) => {
        const terms = { type: 'fixed', fromCcy: 'btc', toCcy: 'usdt_trc20', direction: 'to', amount };
        return { terms, data: (await server.signed('/api/v1/price', terms, creds)).body.data };
      }),
    );
    expect(new Set(quotes.map((q) => q.data.quoteId)).size).toBe(amounts.length);
    const orders = await Promise.all(
      quotes.map(async ({ terms, data }) => {
        const order = await server.signed(
          '/api/v1/create',
          { ...CREATE, ...terms, quoteId: data.quoteId },
          creds,
        );
        return { quoted: data, order: order.body.data };
      }),
    );
    for (const { quoted, order } of orders) {
      expect(order.from.amount).toBe(quoted.from.amount);
      expect(order.rate.expiresAt).toBe(quoted.expiresAt);
    }
  });

  it('gives the same order for the same Idempotency-Key, even to ten concurrent retries, and refuses a changed body', async () => {
    const creds = await server.onboard();
    const key = randomBytes(12).toString('hex');
    const body = JSON.stringify(CREATE);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        server.signed('/api/v1/create', body, creds, { 'idempotency-key': key }),
      ),
    );
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.data.token)).size).toBe(1);
    const count = await server.database.db
      .selectFrom('exchange_orders')
      .select('id')
      .where('partner_id', '=', creds.partnerId)
      .execute();
    expect(count).toHaveLength(1);
    const changed = await server.signed('/api/v1/create', { ...CREATE, amount: '0.02' }, creds, {
      'idempotency-key': key,
    });
    expect(changed.body).toMatchObject({ code: 8, msg: 'IDEMPOTENCY_CONFLICT' });
  });

  it('validates both addresses for their chains before any order exists', async () => {
    const creds = await server.onboard();
    const wrongChain = await server.signed(
      '/api/v1/create',
      { ...CREATE, toAddress: SANDBOX_ADDRESSES.btc },
      creds,
    );
    expect(wrongChain.body).toMatchObject({ code: 2, msg: 'INVALID_ADDRESS', data: { field: 'toAddress' } });
    expect(wrongChain.body.data.message).toContain('Tron address');
    const refund = await server.signed(
      '/api/v1/create',
      { ...CREATE, refundAddress: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr' },
      creds,
    );
    expect(refund.body).toMatchObject({ code: 2, data: { field: 'refundAddress' } });
    const placeholder = await server.signed(
      '/api/v1/create',
      { ...CREATE, toAddress: 'TXyz...recipient' },
      creds,
    );
    expect(placeholder.body.code).toBe(2);
  });
});

describe('expiry', () => {
  it('expires an order without a deposit and treats a late deposit as an EMERGENCY, each step a verified webhook', async () => {
    const { creds, receiver } = await partnerWithReceiver();
    try {
      // This file's server keeps the 30 min window; move the deadline into the past as time passing would.
      const { id, token } = (await server.signed('/api/v1/create', CREATE, creds)).body.data;
      await server.database.db
        .updateTable('exchange_orders')
        .set({ deposit_deadline: new Date(Date.now() - 1000) })
        .where('id', '=', id)
        .execute();
      const expired = await eventually(async () => {
        const row = await server.database.db
          .selectFrom('exchange_orders')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return row.status === 'EXPIRED' ? row : undefined;
      });
      expect(expired.status).toBe('EXPIRED'); // moved by the settlement loop, not by a read
      expect((await server.signed('/api/v1/order', { id, token }, creds)).body.data.status).toBe('EXPIRED');
      const late = await server.signed('/api/v1/sandbox/deposit', { id }, creds);
      expect(late.body.data).toMatchObject({ status: 'EMERGENCY', emergency: { reason: 'LATE_DEPOSIT' } });
      expect(await statusesFor(receiver, creds, id, 3)).toEqual(['NEW', 'EXPIRED', 'EMERGENCY']);
    } finally {
      await receiver.close();
    }
  });
});
