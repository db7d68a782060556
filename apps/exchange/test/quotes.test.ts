import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SANDBOX_ADDRESSES, useExchangeServer } from './support/server.ts';

const server = useExchangeServer();

const TERMS = { type: 'fixed', fromCcy: 'btc', toCcy: 'usdt_trc20', direction: 'to', amount: '597' };
const CREATE = { ...TERMS, toAddress: SANDBOX_ADDRESSES.usdt_trc20, refundAddress: SANDBOX_ADDRESSES.btc };

async function orderRows(partnerId: string) {
  return server.database.db
    .selectFrom('exchange_orders')
    .select(['id', 'rate_expires_at'])
    .where('partner_id', '=', partnerId)
    .execute();
}

describe('fixed quotes are single-use', () => {
  it('backs exactly one order when ten creates name the same quote at once; the others get RATE_EXPIRED naming it', async () => {
    const creds = await server.onboard();
    const quoted = (await server.signed('/api/v1/price', TERMS, creds)).body.data;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        server.signed('/api/v1/create', { ...CREATE, quoteId: quoted.quoteId }, creds, {
          'idempotency-key': randomBytes(12).toString('hex'),
        }),
      ),
    );
    const created = answers.filter((a) => a.body.code === 0);
    expect(created).toHaveLength(1);
    const order = created[0]!.body.data;
    expect(order.from.amount).toBe(quoted.from.amount);
    for (const refused of answers.filter((a) => a.body.code !== 0)) {
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 6, msg: 'RATE_EXPIRED', data: { orderId: order.id } });
      expect(refused.body.data.message).toContain('already backs order');
    }
    expect(await orderRows(creds.partnerId)).toHaveLength(1);
    const later = await server.signed('/api/v1/create', { ...CREATE, quoteId: quoted.quoteId }, creds);
    expect(later.body).toMatchObject({ code: 6, data: { orderId: order.id } });
  });

  it('still replays the original order for retries of the same create (same Idempotency-Key), concurrent or later', async () => {
    const creds = await server.onboard();
    const quoted = (await server.signed('/api/v1/price', TERMS, creds)).body.data;
    const key = randomBytes(12).toString('hex');
    const body = JSON.stringify({ ...CREATE, quoteId: quoted.quoteId });
    // Retries at once and staggered: some land while the first is committing, some after it committed.
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, (i % 6) * 15));
        return server.signed('/api/v1/create', body, creds, { 'idempotency-key': key });
      }),
    );
    for (const a of answers) expect(a.body.code).toBe(0);
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.data.token)).size).toBe(1);
    const retry = await server.signed('/api/v1/create', body, creds, { 'idempotency-key': key });
    expect(retry.body.data).toMatchObject({
      id: answers[0]!.body.data.id,
      token: answers[0]!.body.data.token,
    });
    expect(await orderRows(creds.partnerId)).toHaveLength(1);
  });

  it('lets one of several creates with the same terms (no quoteId) hold the quote; the others get rates of their own', async () => {
    const creds = await server.onboard();
    const quoted = (await server.signed('/api/v1/price', TERMS, creds)).body.data;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => server.signed('/api/v1/create', CREATE, creds)),
    );
    for (const a of answers) expect(a.body.code).toBe(0);
    const rows = await orderRows(creds.partnerId);
    expect(rows).toHaveLength(5);
    const quote = await server.database.db
      .selectFrom('exchange_quotes')
      .select(['expires_at', 'used_by'])
      .where('id', '=', quoted.quoteId)
      .executeTakeFirstOrThrow();
    const holders = rows.filter((r) => r.rate_expires_at?.getTime() === quote.expires_at.getTime());
    expect(holders).toHaveLength(1);
    expect(quote.used_by).toBe(holders[0]!.id);
  });
});
