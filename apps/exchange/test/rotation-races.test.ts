import { MIGRATIONS, migrateToLatest } from '@0bit/db/migrate';
import { freshDatabase } from '@0bit/testing/database';
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/domain/credentials.ts';
import { type Credentials, useExchangeServer } from './support/server.ts';

// Issue #14 (attack round 2): on PostgreSQL, concurrent rotations left several permanent "current" pairs or
// webhook secrets, and concurrent "make this code the default" answered 500 from the one-default index.
// Each change of one partner's settings in one mode is now serialised (and the database holds one current
// pair / secret per partner and mode). These races need PostgreSQL to show; on PGlite they run in turn.
const OVERLAP_SECONDS = 60;
const server = useExchangeServer({ config: { rotationOverlapSeconds: OVERLAP_SECONDS } });
const PRICE = { type: 'float', fromCcy: 'btc', toCcy: 'usdt_trc20', direction: 'from', amount: '0.01' };

async function currentCredentials(creds: Credentials) {
  return server.database.db
    .selectFrom('exchange_credentials')
    .select(['api_key_hash', 'expires_at'])
    .where('partner_id', '=', creds.partnerId)
    .where('mode', '=', 'test')
    .where('expires_at', 'is', null)
    .execute();
}

describe('concurrent credential rotations with the current pair', () => {
  it('leave exactly one current pair: the first rotation wins, the others are refused (409 or 401)', async () => {
    const creds = await server.onboard();
    const path = '/api/v1/cabinet/credentials/rotate';
    const answers = await Promise.all(Array.from({ length: 10 }, () => server.signed(path, {}, creds)));
    const won = answers.filter((a) => a.status === 200);
    const lost = answers.filter((a) => a.status !== 200);
    expect(won).toHaveLength(1);
    // A loser that reached the lock after the winner committed: 409; one whose pair was already known rotated
    // out when it arrived: 401 as for any rotated-out pair. Which of the two depends on timing.
    for (const answer of lost) {
      if (answer.status === 409) {
        expect(answer.body).toMatchObject({ code: 9, msg: 'INVALID_STATE' });
        expect(answer.body.data.message).toMatch(/concurrent rotation already replaced this apiKey/);
      } else {
        expect(answer.body).toMatchObject({ code: 3, msg: 'AUTH_INVALID' });
        expect(answer.body.data.message).toMatch(/rotated out/);
      }
      expect(answer.body.data.apiSecret).toBeUndefined();
    }
    const current = await currentCredentials(creds);
    expect(current).toHaveLength(1);
    const next = { ...creds, ...won[0]!.body.data } as Credentials;
    expect(current[0]!.api_key_hash).toBe(hashApiKey(next.apiKey));
    // The winner's pair is the current one (it may rotate, change signing…); the old one is in its overlap.
    expect((await server.signed('/api/v1/cabinet/signing', {}, next)).body.code).toBe(0);
    expect((await server.signed('/api/v1/price', PRICE, creds)).body.code).toBe(0);
    const all = await server.database.db
      .selectFrom('exchange_credentials')
      .select('expires_at')
      .where('partner_id', '=', creds.partnerId)
      .execute();
    expect(all).toHaveLength(2);
  });

  it('rotating in turn still works: each new pair rotates the next', async () => {
    let creds = await server.onboard();
    for (let i = 0; i < 3; i++) {
      const rotated = await server.signed('/api/v1/cabinet/credentials/rotate', {}, creds);
      expect(rotated.body.code).toBe(0);
      creds = { ...creds, ...rotated.body.data };
    }
    expect(await currentCredentials(creds)).toHaveLength(1);
  });
});

describe('concurrent webhook-secret rotations', () => {
  it('all answer 200 with a secret that signs; exactly one is current, the others end with the overlap', async () => {
    const creds = await server.onboard();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => server.signed('/api/v1/cabinet/webhook-secret/rotate', {}, creds)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const rows = await server.database.db
      .selectFrom('webhook_secrets')
      .selectAll()
      .where('partner_id', '=', creds.partnerId)
      .where('mode', '=', 'test')
      .where('source', '=', 'exchange')
      .execute();
    expect(rows.filter((row) => row.expires_at === null)).toHaveLength(1);
    // Onboarding's secret plus eight: every one still signs deliveries until its overlap ends.
    expect(rows).toHaveLength(9);
    const signing = new Set(rows.map((row) => server.box.open(row.secret_sealed)));
    for (const answer of answers) {
      expect(signing.has(answer.body.data.webhookSecret)).toBe(true);
      expect(answer.body.data.previousExpiresAt).toEqual(expect.any(Number));
    }
    const latest = Math.floor(Date.now() / 1000) + OVERLAP_SECONDS + 5;
    for (const row of rows.filter((r) => r.expires_at !== null))
      expect(row.expires_at!.getTime() / 1000).toBeLessThan(latest);
  });
});

describe('concurrent reference-code changes', () => {
  it('several "make this the default" at once: every call 200, exactly one default', async () => {
    const creds = await server.onboard();
    const creates = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        server.signed(
          '/api/v1/cabinet/refcodes/create',
          { code: `c${i}`, markupBps: i, default: true },
          creds,
        ),
      ),
    );
    expect(creates.map((a) => a.status)).toEqual(Array(8).fill(200));
    const defaults = async () =>
      (await server.signed('/api/v1/cabinet/refcodes', {}, creds)).body.data.filter(
        (code: { default: boolean }) => code.default,
      );
    expect(await defaults()).toHaveLength(1);
    const updates = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        server.signed('/api/v1/cabinet/refcodes/update', { code: `c${i}`, default: true }, creds),
      ),
    );
    expect(updates.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(await defaults()).toHaveLength(1);
  });

  it('the same new code created at once: one 200, the others "already exists", never 500', async () => {
    const creds = await server.onboard();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        server.signed(
          '/api/v1/cabinet/refcodes/create',
          { code: 'same', markupBps: i, default: i % 2 === 0 },
          creds,
        ),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer.status).toBe(409);
      expect(answer.body.data.message).toMatch(/"same" already exists/);
    }
  });
});

describe('the database guarantee (migration 0012)', () => {
  it('retires the extra current pairs and secrets of existing partners (newest stays current), then refuses a second one', async () => {
    const database = await freshDatabase({ migrate: false });
    try {
      const names = Object.keys(MIGRATIONS).sort();
      const before = names[names.indexOf('0012_one_current_secret') - 1]!;
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => MIGRATIONS } });
      expect((await migrator.migrateTo(before)).error).toBeUndefined();
      const db = database.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      await db.insertInto('partners').values({ id: 'p1', name: 'Acme' }).execute();
      const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
      const credential = (id: string, mode: string, minutes: number, expires: Date | null = null) => ({
        id,
        partner_id: 'p1',
        mode,
        api_key_hash: `hash-${id}`,
        display_prefix: 'abcd…ef',
        api_secret_sealed: 'sealed',
        created_at: at(minutes),
        expires_at: expires,
      });
      await db
        .insertInto('exchange_credentials')
        .values([
          credential('c1', 'test', 1),
          credential('c2', 'test', 3),
          credential('c3', 'test', 2),
          credential('c4', 'test', 0, at(5)),
          credential('c5', 'live', 1),
        ])
        .execute();
      const secret = (id: string, source: string, minutes: number) => ({
        id,
        partner_id: 'p1',
        mode: 'test',
        source,
        secret_sealed: 'sealed',
        display_prefix: 'whsec_abcd',
        created_at: at(minutes),
        expires_at: null,
      });
      await db
        .insertInto('webhook_secrets')
        .values([
          secret('s1', 'exchange', 1),
          secret('s2', 'exchange', 2),
          secret('s3', 'gate', 1),
          secret('s4', 'gate', 0),
        ])
        .execute();
      await migrateToLatest(database.db);

      const credentials = await database.db
        .selectFrom('exchange_credentials')
        .select(['id', 'expires_at'])
        .orderBy('id')
        .execute();
      const dayFromNow = Date.now() + 24 * 3600_000;
      const retired = (row: { expires_at: Date | null }) =>
        row.expires_at !== null && Math.abs(row.expires_at.getTime() - dayFromNow) < 120_000;
      expect(credentials.filter((row) => row.expires_at === null).map((row) => row.id)).toEqual(['c2', 'c5']);
      expect(credentials.filter(retired).map((row) => row.id)).toEqual(['c1', 'c3']);
      expect(credentials.find((row) => row.id === 'c4')!.expires_at).toEqual(at(5));
      const secrets = await database.db
        .selectFrom('webhook_secrets')
        .select(['id', 'expires_at'])
        .orderBy('id')
        .execute();
      expect(secrets.filter((row) => row.expires_at === null).map((row) => row.id)).toEqual(['s2', 's3']);
      expect(secrets.filter(retired).map((row) => row.id)).toEqual(['s1', 's4']);

      await expect(
        db
          .insertInto('exchange_credentials')
          .values(credential('c6', 'test', 9))
          .execute(),
      ).rejects.toThrow(/exchange_credentials_one_current/);
      await expect(
        db
          .insertInto('webhook_secrets')
          .values(secret('s5', 'gate', 9))
          .execute(),
      ).rejects.toThrow(/webhook_secrets_one_current/);
      // A rotated-out row beside the current one is what every rotation leaves: allowed.
      await db
        .insertInto('exchange_credentials')
        .values(credential('c7', 'test', 9, at(10)))
        .execute();
    } finally {
      await database.close();
    }
  });
});
