import { randomBytes } from 'node:crypto';
import { opensslHmac, startReceiver } from '@0bit/testing/receiver';
import { describe, expect, it } from 'vitest';
import { eventually, hmacHex, SANDBOX_ADDRESSES, useExchangeServer } from './support/server.ts';

const server = useExchangeServer({ webhooks: true, config: { rotationOverlapSeconds: 2 } });
const PRICE = { type: 'float', fromCcy: 'btc', toCcy: 'usdt_trc20', direction: 'from', amount: '0.01' };
const CREATE = { ...PRICE, toAddress: SANDBOX_ADDRESSES.usdt_trc20, refundAddress: SANDBOX_ADDRESSES.btc };

describe('cabinet', () => {
  it('rotates apiKey/apiSecret: the new pair is shown once, the old one works until its overlap ends', async () => {
    const creds = await server.onboard();
    const rotated = await server.signed('/api/v1/cabinet/credentials/rotate', {}, creds);
    expect(rotated.body).toMatchObject({
      code: 0,
      data: { environment: 'sandbox', apiKey: expect.any(String), previousExpiresAt: expect.any(Number) },
    });
    const next = { ...creds, apiKey: rotated.body.data.apiKey, apiSecret: rotated.body.data.apiSecret };
    expect(next.apiKey).not.toBe(creds.apiKey);
    expect((await server.signed('/api/v1/price', PRICE, creds)).body.code).toBe(0);
    expect((await server.signed('/api/v1/price', PRICE, next)).body.code).toBe(0);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await server.signed('/api/v1/price', PRICE, creds)).body).toMatchObject({ code: 3 });
    expect((await server.signed('/api/v1/price', PRICE, next)).body.code).toBe(0);
  });

  it('rotates the webhook secret: deliveries carry the new signature and, during the overlap, the previous one', async () => {
    const creds = await server.onboard();
    const receiver = await startReceiver();
    try {
      await server.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/webhook`, {
        environment: 'sandbox',
        url: receiver.url,
      });
      const rotated = await server.signed('/api/v1/cabinet/webhook-secret/rotate', {}, creds);
      const newSecret = rotated.body.data.webhookSecret;
      await server.signed('/api/v1/create', CREATE, creds);
      const [delivery] = await receiver.waitFor(1);
      expect(delivery!.headers['x-partner-webhook-sign']).toBe(opensslHmac(newSecret, delivery!.body));
      expect(delivery!.headers['x-partner-webhook-sign-previous']).toBe(
        opensslHmac(creds.webhookSecret, delivery!.body),
      );
    } finally {
      await receiver.close();
    }
  });

  it('lists orders newest first across pages, filtered by status', async () => {
    const creds = await server.onboard();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await server.signed('/api/v1/create', CREATE, creds)).body.data.id);
    await server.signed('/api/v1/sandbox/deposit', { id: ids[0], confirmations: 0 }, creds);
    const seen: string[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = (
        await server.signed(
          '/api/v1/cabinet/orders',
          { limit: 2, ...(startingAfter ? { startingAfter } : {}) },
          creds,
        )
      ).body.data;
      seen.push(...page.orders.map((o: { id: string }) => o.id));
      if (!page.hasMore) break;
      startingAfter = page.orders.at(-1).id;
    }
    expect(seen).toEqual([...ids].reverse());
    const pending = (await server.signed('/api/v1/cabinet/orders', { status: 'PENDING' }, creds)).body.data
      .orders;
    expect(pending.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    const others = (await server.signed('/api/v1/cabinet/orders', {}, await server.onboard())).body.data
      .orders;
    expect(others).toEqual([]);
  });

  it('manages reference codes: each code its own bounded markup, chosen per request, default when none is given', async () => {
    const creds = await server.onboard();
    expect((await server.signed('/api/v1/cabinet/refcodes', {}, creds)).body.data).toMatchObject([
      { code: 'default', markupBps: 0, default: true },
    ]);
    const app = await server.signed(
      '/api/v1/cabinet/refcodes/create',
      { code: 'mobile-app', markupBps: 100 },
      creds,
    );
    expect(app.body.data).toMatchObject({ code: 'mobile-app', markupBps: 100, default: false });
    const tooHigh = await server.signed(
      '/api/v1/cabinet/refcodes/create',
      { code: 'greedy', markupBps: 501 },
      creds,
    );
    expect(tooHigh.body).toMatchObject({ code: 1, data: { message: expect.stringContaining('0 to 500') } });
    const duplicate = await server.signed(
      '/api/v1/cabinet/refcodes/create',
      { code: 'mobile-app', markupBps: 1 },
      creds,
    );
    expect(duplicate.body.code).toBe(9);
    const viaApp = (await server.signed('/api/v1/price', { ...PRICE, refcode: 'mobile-app' }, creds)).body
      .data;
    expect(viaApp).toMatchObject({
      refcode: 'mobile-app',
      markupBps: 100,
      rate: '59100',
      to: { amount: '590' },
    });
    await server.signed('/api/v1/cabinet/refcodes/update', { code: 'mobile-app', default: true }, creds);
    const byDefault = (await server.signed('/api/v1/price', PRICE, creds)).body.data;
    expect(byDefault).toMatchObject({ refcode: 'mobile-app', markupBps: 100 });
    const codes = (await server.signed('/api/v1/cabinet/refcodes', {}, creds)).body.data;
    expect(codes.filter((c: { default: boolean }) => c.default).map((c: { code: string }) => c.code)).toEqual(
      ['mobile-app'],
    );
    const order = (await server.signed('/api/v1/create', { ...CREATE, refcode: 'default' }, creds)).body.data;
    expect(order).toMatchObject({ refcode: 'default', rate: { markupBps: 0 } });
  });

  it('shows the webhook delivery log with every attempt and replays a delivery with the same event id', async () => {
    const creds = await server.onboard();
    const receiver = await startReceiver();
    receiver.respond((_r, i) => ({ status: i === 0 ? 500 : 200 }));
    try {
      await server.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/webhook`, {
        environment: 'sandbox',
        url: receiver.url,
      });
      const order = (await server.signed('/api/v1/create', CREATE, creds)).body.data;
      await receiver.waitFor(2);
      const list = await eventually(async () => {
        const page = (await server.signed('/api/v1/cabinet/webhooks', { orderId: order.id }, creds)).body
          .data;
        return page.deliveries[0]?.status === 'succeeded' ? page : undefined;
      });
      const delivery = list.deliveries[0];
      expect(delivery).toMatchObject({ eventType: 'order.status_changed', orderId: order.id, attempts: 2 });
      const detail = (await server.signed('/api/v1/cabinet/webhooks/retrieve', { id: delivery.id }, creds))
        .body.data;
      expect(detail.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 200]);
      expect(JSON.parse(detail.payload).data.id).toBe(order.id);
      // A body-only signature captured on this read (a proxy log) must not re-send the webhook: the replay
      // route takes the same body, so it needs v2 (issue #14: cross-route replay).
      const byId = JSON.stringify({ id: delivery.id });
      const captured = {
        'content-type': 'application/json',
        'x-api-key': creds.apiKey,
        'x-api-sign': hmacHex(creds.apiSecret, byId),
      };
      const read = await server.call('POST', '/api/v1/cabinet/webhooks/retrieve', {
        headers: { ...captured, 'x-api-nonce': randomBytes(16).toString('hex') },
        body: byId,
      });
      expect(read.body.code).toBe(0);
      const crossRoute = await server.call('POST', '/api/v1/cabinet/webhooks/replay', {
        headers: { ...captured, 'x-api-nonce': randomBytes(16).toString('hex') },
        body: byId,
      });
      expect(crossRoute.status).toBe(401);
      expect(crossRoute.body.data.message).toMatch(/requires a v2 signature/);
      await server.signed('/api/v1/cabinet/webhooks/replay', { id: delivery.id }, creds);
      const [, first, replayed] = await receiver.waitFor(3);
      expect(replayed!.headers['x-partner-webhook-id']).toBe(first!.headers['x-partner-webhook-id']);
      expect(replayed!.body).toBe(first!.body);
      const foreign = await server.signed(
        '/api/v1/cabinet/webhooks/retrieve',
        { id: delivery.id },
        await server.onboard(),
      );
      expect(foreign.body.code).toBe(12);
    } finally {
      await receiver.close();
    }
  });
});

describe('rate limits', () => {
  const limited = useExchangeServer({ rateLimits: true });
  it('answers code 10 RATE_LIMITED with Retry-After once a key passes its per-minute budget', async () => {
    const creds = await limited.onboard();
    let last = await limited.signed('/api/v1/cabinet/refcodes', {}, creds);
    for (let i = 0; i < 120 && last.body.code === 0; i++)
      last = await limited.signed('/api/v1/cabinet/refcodes', {}, creds);
    expect(last.status).toBe(429);
    expect(last.body).toMatchObject({
      code: 10,
      msg: 'RATE_LIMITED',
      data: { retryAfter: expect.any(Number) },
    });
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });
});
