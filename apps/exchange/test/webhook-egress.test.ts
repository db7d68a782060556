import { startReceiver } from '@0bit/testing/receiver';
import { listAttempts, upsertEndpoint } from '@0bit/webhooks/store';
import { describe, expect, it } from 'vitest';
import { eventually, FLOAT_ORDER, useExchangeServer } from './support/server.ts';

/** 0trace webhooks leave through the same egress policy as 0Gate's (issue #14, finding 2). */
const dev = useExchangeServer({ webhooks: true, egress: { allowLoopback: true } });
const prod = useExchangeServer({ webhooks: true, egress: { allowLoopback: false } });

const CREATE = FLOAT_ORDER;

describe('0trace webhook URL (operator API)', () => {
  it.each([
    ['sandbox', 'https://169.254.169.254/latest/meta-data'],
    ['sandbox', 'https://10.0.0.5/hook'],
    ['sandbox', 'https://[64:ff9b::a9fe:a9fe]/hook'],
    ['live', 'https://[::ffff:127.0.0.1]/hook'],
    ['live', 'https://[2002:a9fe:a9fe::]/hook'],
  ])('refuses a %s webhook URL %s', async (environment, url) => {
    const creds = await dev.onboard();
    const res = await dev.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/webhook`, {
      environment,
      url,
    });
    expect(res.body.code, url).not.toBe(0);
    expect(res.body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
    expect(res.body.data.message).toMatch(/^url /);
  });

  it('refuses a sandbox loopback URL when local development is off', async () => {
    const creds = await prod.onboard();
    const res = await prod.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/webhook`, {
      environment: 'sandbox',
      url: 'http://127.0.0.1:9/hook',
    });
    expect(res.body.code).not.toBe(0);
    expect(res.body.data.message).toContain('loopback');
  });
});

describe('0trace webhook delivery', () => {
  it('never connects to loopback when local development is off; the attempt fails with the reason', async () => {
    const internal = await startReceiver('/internal');
    internal.respond(() => ({ status: 200, body: 'INTERNAL-ONLY' }));
    try {
      const creds = await prod.onboard();
      const scope = { partnerId: creds.partnerId, mode: 'test' as const };
      await upsertEndpoint(prod.database.db, scope, internal.url, 'exchange');
      expect((await prod.signed('/api/v1/create', CREATE, creds)).body.code).toBe(0);
      const attempt = await eventually(async () => {
        const list = await prod.signed('/api/v1/cabinet/webhooks', {}, creds);
        const delivery = list.body.data.deliveries[0];
        if (!delivery) return undefined;
        const [first] = await listAttempts(prod.database.db, delivery.id);
        return first;
      });
      expect(attempt).toMatchObject({ status_code: null, response_body: null });
      expect(attempt.error).toMatch(/loopback/);
      expect(internal.received).toHaveLength(0);
    } finally {
      await internal.close();
    }
  });

  it('delivers to loopback in local development and keeps no excerpt of the answer', async () => {
    const internal = await startReceiver('/internal');
    internal.respond(() => ({ status: 200, body: 'INTERNAL-ONLY' }));
    try {
      const creds = await dev.onboard();
      const set = await dev.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/webhook`, {
        environment: 'sandbox',
        url: internal.url,
      });
      expect(set.body.code).toBe(0);
      expect((await dev.signed('/api/v1/create', CREATE, creds)).body.code).toBe(0);
      await internal.waitFor(1);
      const attempt = await eventually(async () => {
        const list = await dev.signed('/api/v1/cabinet/webhooks', {}, creds);
        const delivery = list.body.data.deliveries[0];
        if (!delivery) return undefined;
        const [first] = await listAttempts(dev.database.db, delivery.id);
        return first;
      });
      expect(attempt).toMatchObject({ status_code: 200, response_body: null });
    } finally {
      await internal.close();
    }
  });
});
