import { MIGRATIONS, migrateToLatest } from '@0bit/db/migrate';
import { SandboxPriceFeed } from '@0bit/markets';
import { freshDatabase } from '@0bit/testing/database';
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { SANDBOX_PROVIDERS, SandboxChain } from '../src/domain/providers.ts';
import { useExchangeServer } from './support/server.ts';

// Live mode needs a provider: a second simulator stands in for the operator's live one.
const server = useExchangeServer({
  providers: { test: SANDBOX_PROVIDERS, live: { prices: new SandboxPriceFeed(), chain: new SandboxChain() } },
});
const PRICE = { type: 'float', fromCcy: 'btc', toCcy: 'usdt_trc20', direction: 'from', amount: '0.01' };

async function sandboxAndLive() {
  const sandbox = await server.onboard();
  const issued = await server.admin('POST', `/admin/exchange/partners/${sandbox.partnerId}/credentials`, {
    environment: 'live',
  });
  expect(issued.status).toBe(201);
  return { sandbox, live: { ...issued.body.data, partnerId: sandbox.partnerId } };
}

const codes = async (creds: Parameters<typeof server.signed>[2]) =>
  (await server.signed('/api/v1/cabinet/refcodes', {}, creds)).body.data.map(
    (c: { code: string; markupBps: number; default: boolean }) => [c.code, c.markupBps, c.default],
  );

describe('reference codes belong to one mode', () => {
  it('sandbox credentials neither change nor lend their codes to live, and live codes stay out of the sandbox', async () => {
    const { sandbox, live } = await sandboxAndLive();
    expect(await codes(live)).toEqual([['default', 0, true]]);

    await server.signed(
      '/api/v1/cabinet/refcodes/create',
      { code: 'promo', markupBps: 200, default: true },
      sandbox,
    );
    await server.signed('/api/v1/cabinet/refcodes/update', { code: 'default', markupBps: 300 }, sandbox);
    expect(await codes(sandbox)).toEqual([
      ['default', 300, false],
      ['promo', 200, true],
    ]);
    expect(await codes(live)).toEqual([['default', 0, true]]);

    const livePrice = (await server.signed('/api/v1/price', PRICE, live)).body;
    expect(livePrice).toMatchObject({ code: 0, data: { refcode: 'default', markupBps: 0 } });
    const borrowed = await server.signed('/api/v1/price', { ...PRICE, refcode: 'promo' }, live);
    expect(borrowed.body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
    expect(borrowed.body.data.message).toContain('live reference codes');
    const liveUpdate = await server.signed(
      '/api/v1/cabinet/refcodes/update',
      { code: 'promo', markupBps: 1 },
      live,
    );
    expect(liveUpdate.body).toMatchObject({ code: 12, msg: 'NOT_FOUND' });

    const vip = await server.signed('/api/v1/cabinet/refcodes/create', { code: 'vip', markupBps: 50 }, live);
    expect(vip.body).toMatchObject({ code: 0, data: { code: 'vip', markupBps: 50 } });
    expect(
      (await server.signed('/api/v1/price', { ...PRICE, refcode: 'vip' }, live)).body.data.markupBps,
    ).toBe(50);
    const sandboxVip = await server.signed('/api/v1/price', { ...PRICE, refcode: 'vip' }, sandbox);
    expect(sandboxVip.body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
    // The same name may exist in both modes, each with its own markup.
    const promoLive = await server.signed(
      '/api/v1/cabinet/refcodes/create',
      { code: 'promo', markupBps: 10 },
      live,
    );
    expect(promoLive.body.code).toBe(0);
    expect(
      (await server.signed('/api/v1/price', { ...PRICE, refcode: 'promo' }, live)).body.data.markupBps,
    ).toBe(10);
    expect(
      (await server.signed('/api/v1/price', { ...PRICE, refcode: 'promo' }, sandbox)).body.data.markupBps,
    ).toBe(200);
  });

  it('migration 0009 keeps every existing code, with its markup and default, in both modes', async () => {
    const database = await freshDatabase({ migrate: false });
    try {
      const names = Object.keys(MIGRATIONS).sort();
      const before = names[names.indexOf('0009_exchange_payouts') - 1]!;
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => MIGRATIONS } });
      const { error } = await migrator.migrateTo(before);
      expect(error).toBeUndefined();
      const db = database.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      await db.insertInto('partners').values({ id: 'p1', name: 'Acme', kyc_trusted: false }).execute();
      await db
        .insertInto('exchange_refcodes')
        .values([
          { partner_id: 'p1', code: 'default', markup_bps: 0, is_default: false },
          { partner_id: 'p1', code: 'app', markup_bps: 120, is_default: true },
        ])
        .execute();
      await migrateToLatest(database.db);
      const rows = await database.db
        .selectFrom('exchange_refcodes')
        .select(['mode', 'code', 'markup_bps', 'is_default'])
        .orderBy('mode')
        .orderBy('code')
        .execute();
      expect(rows).toEqual([
        { mode: 'live', code: 'app', markup_bps: 120, is_default: true },
        { mode: 'live', code: 'default', markup_bps: 0, is_default: false },
        { mode: 'test', code: 'app', markup_bps: 120, is_default: true },
        { mode: 'test', code: 'default', markup_bps: 0, is_default: false },
      ]);
    } finally {
      await database.close();
    }
  });
});
