import { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import {
  fingerprintOf,
  GATE_KEYS,
  type IdempotencyKey,
  type IdempotencyTable,
  previousUse,
  runOnce,
  runOnceInOneStatement,
  sweepIdempotencyKeys,
  TRACE_KEYS,
} from '@0bit/db/idempotency';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The semantics of docs/idempotency.md, row by row, run against both products' tables: the one module must
 * answer the same for 0Gate's idempotency_keys and 0trace's exchange_idempotency.
 */
let database: TestDatabase;
let db: Db;
const box = new SecretBox(SecretBox.generateKey());
const scope = { partnerId: 'p1', mode: 'test' as const };
let n = 0;
const newKey = (body: unknown = { amount: '1' }): IdempotencyKey => ({
  scope,
  key: `k${++n}`,
  fingerprint: fingerprintOf('POST', '/write', body),
});
const ok = (body: unknown) => async () => ({ status: 200, body });
const storeAll = (error: unknown) => ({
  status: (error as { status: number }).status,
  body: { failed: true },
});
class Failure extends Error {
  constructor(readonly status: number) {
    super(`failed with ${status}`);
  }
}

beforeAll(async () => {
  database = await freshDatabase();
  db = database.db;
  await db.insertInto('partners').values({ id: 'p1', name: 'Acme' }).execute();
});
afterAll(() => database.close());

describe.each([
  ['0Gate', GATE_KEYS],
  ['0trace', TRACE_KEYS],
] as Array<[string, IdempotencyTable]>)('idempotency semantics (%s table)', (_product, table) => {
  const deps = () => ({ db, box });
  const age = (k: IdempotencyKey, hours: number) =>
    sql`UPDATE ${sql.table(table.table)} SET created_at = now() - make_interval(hours => ${hours})
        WHERE key = ${k.key}`.execute(db);

  it('stores a success: the same request gets the stored answer, the operation runs once', async () => {
    const k = newKey();
    let runs = 0;
    const run = async () => {
      runs++;
      return { status: 201, body: { id: 'x', secret: 's' } };
    };
    expect(await runOnce(deps(), table, k, run, storeAll)).toEqual({
      kind: 'fresh',
      answer: { status: 201, body: { id: 'x', secret: 's' } },
    });
    expect(await runOnce(deps(), table, k, run, storeAll)).toEqual({
      kind: 'replay',
      answer: { status: 201, body: { id: 'x', secret: 's' } },
    });
    expect(runs).toBe(1);
  });

  it('treats key order in the body as the same request', async () => {
    const k = newKey({ a: 1, b: 2 });
    await runOnce(deps(), table, k, ok({ id: 'y' }), storeAll);
    const reordered = { ...k, fingerprint: fingerprintOf('POST', '/write', { b: 2, a: 1 }) };
    expect(await previousUse(db, box, table, reordered)).toMatchObject({ kind: 'replay' });
  });

  it('answers a mismatch for the same key with another body, with the stored answer beside it', async () => {
    const k = newKey({ amount: '1' });
    await runOnce(deps(), table, k, ok({ id: 'z' }), storeAll);
    const other = { ...k, fingerprint: fingerprintOf('POST', '/write', { amount: '2' }) };
    expect(await runOnce(deps(), table, other, ok({ id: 'never' }), storeAll)).toEqual({
      kind: 'mismatch',
      answer: { status: 200, body: { id: 'z' } },
    });
  });

  it('stores a 4xx answer and replays it; a 5xx is not stored and the retry runs', async () => {
    const refused = newKey();
    await expect(
      runOnce(deps(), table, refused, () => Promise.reject(new Failure(409)), storeAll),
    ).rejects.toThrow('409');
    expect(await runOnce(deps(), table, refused, ok({ id: 'late' }), storeAll)).toEqual({
      kind: 'replay',
      answer: { status: 409, body: { failed: true } },
    });

    const broken = newKey();
    await expect(
      runOnce(deps(), table, broken, () => Promise.reject(new Failure(500)), storeAll),
    ).rejects.toThrow('500');
    expect(await previousUse(db, box, table, broken)).toBeUndefined();
    expect(await runOnce(deps(), table, broken, ok({ id: 'ran' }), storeAll)).toMatchObject({
      kind: 'fresh',
    });
  });

  it('remembers a key 24 h: an older use is forgotten, and the sweep deletes it', async () => {
    const k = newKey();
    await runOnce(deps(), table, k, ok({ id: 'old' }), storeAll);
    await age(k, 23);
    expect(await previousUse(db, box, table, k)).toMatchObject({ kind: 'replay' });
    await age(k, 25);
    expect(await previousUse(db, box, table, k)).toBeUndefined();
    expect(await sweepIdempotencyKeys(db)).toBeGreaterThanOrEqual(1);
    const left = await sql`SELECT key FROM ${sql.table(table.table)} WHERE key = ${k.key}`.execute(db);
    expect(left.rows).toHaveLength(0);
  });

  it('runs an aged-out key again as a new request', async () => {
    const k = newKey();
    await runOnce(deps(), table, k, ok({ id: 'first' }), storeAll);
    await age(k, 25);
    expect(await runOnce(deps(), table, k, ok({ id: 'second' }), storeAll)).toEqual({
      kind: 'fresh',
      answer: { status: 200, body: { id: 'second' } },
    });
  });

  it('keeps stored answers sealed at rest', async () => {
    const k = newKey();
    await runOnce(deps(), table, k, ok({ secret: 'whsec_visible' }), storeAll);
    const rows = await sql<Record<string, string>>`
      SELECT ${sql.ref(table.body)} AS body FROM ${sql.table(table.table)} WHERE key = ${k.key}`.execute(db);
    expect(rows.rows[0]?.body).not.toContain('whsec_visible');
  });
});

/**
 * runOnceInOneStatement: the same decisions as runOnce, with the claim, the stored answer and the writes in
 * one statement. A scratch table stands for the operation's writes: they happen only with a fresh claim.
 */
describe('idempotency semantics in one statement (0Gate table)', () => {
  const deps = () => ({ db, box });
  const table = GATE_KEYS;
  beforeAll(async () => {
    await sql`CREATE TABLE one_statement_effects (key text NOT NULL, note text NOT NULL)`.execute(db);
  });
  const plan =
    (k: IdempotencyKey, body: unknown, status = 201) =>
    () => ({
      answer: { status, body },
      writes: sql`effect AS (
        INSERT INTO one_statement_effects (key, note) SELECT ${k.key}, ${JSON.stringify(body)} FROM claim)`,
    });
  const effects = async (k: IdempotencyKey) =>
    (await sql<{ note: string }>`SELECT note FROM one_statement_effects WHERE key = ${k.key}`.execute(db))
      .rows;

  it('writes once and replays the stored answer; another request with the key is a mismatch', async () => {
    const k = newKey();
    expect(await runOnceInOneStatement(deps(), table, k, plan(k, { id: 'a' }), storeAll)).toEqual({
      kind: 'fresh',
      answer: { status: 201, body: { id: 'a' } },
    });
    expect(await runOnceInOneStatement(deps(), table, k, plan(k, { id: 'b' }), storeAll)).toEqual({
      kind: 'replay',
      answer: { status: 201, body: { id: 'a' } },
    });
    const other = { ...k, fingerprint: fingerprintOf('POST', '/write', { amount: '2' }) };
    expect(await runOnceInOneStatement(deps(), table, other, plan(k, { id: 'c' }), storeAll)).toEqual({
      kind: 'mismatch',
      answer: { status: 201, body: { id: 'a' } },
    });
    expect(await effects(k)).toEqual([{ note: '{"id":"a"}' }]);
    // The same key through runOnce answers the same: one module, one table, one semantics.
    expect(await runOnce(deps(), table, k, ok({ id: 'never' }), storeAll)).toMatchObject({ kind: 'replay' });
  });

  it('stores a 4xx thrown by the plan and replays it; a 5xx is not stored; a used key answers its use', async () => {
    const refused = newKey();
    const fail = (status: number) => () => {
      throw new Failure(status);
    };
    await expect(runOnceInOneStatement(deps(), table, refused, fail(422), storeAll)).rejects.toThrow('422');
    expect(await runOnceInOneStatement(deps(), table, refused, plan(refused, { id: 'x' }), storeAll)).toEqual(
      {
        kind: 'replay',
        answer: { status: 422, body: { failed: true } },
      },
    );
    expect(await effects(refused)).toEqual([]);

    const broken = newKey();
    await expect(runOnceInOneStatement(deps(), table, broken, fail(500), storeAll)).rejects.toThrow('500');
    expect(await previousUse(db, box, table, broken)).toBeUndefined();

    // A plan refused now (say the partner's domains changed) for a key that already succeeded: the replay.
    const used = newKey();
    await runOnceInOneStatement(deps(), table, used, plan(used, { id: 'kept' }), storeAll);
    expect(await runOnceInOneStatement(deps(), table, used, fail(422), storeAll)).toEqual({
      kind: 'replay',
      answer: { status: 201, body: { id: 'kept' } },
    });
    // …even when such a refusal is one that is never stored (invalid input); another body is a mismatch.
    const storeNothing = () => null;
    expect(await runOnceInOneStatement(deps(), table, used, fail(422), storeNothing)).toMatchObject({
      kind: 'replay',
    });
    const other = { ...used, fingerprint: fingerprintOf('POST', '/write', { amount: '9' }) };
    expect(await runOnceInOneStatement(deps(), table, other, fail(422), storeNothing)).toMatchObject({
      kind: 'mismatch',
    });
    const unstored = newKey();
    await expect(runOnceInOneStatement(deps(), table, unstored, fail(422), storeNothing)).rejects.toThrow();
    expect(await previousUse(db, box, table, unstored)).toBeUndefined();
  });

  it('runs concurrent requests with one key as one effect, every answer the stored one', async () => {
    const k = newKey();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        runOnceInOneStatement(deps(), table, k, plan(k, { id: `c${i}` }), storeAll),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'fresh')).toHaveLength(1);
    const fresh = outcomes.find((o) => o.kind === 'fresh');
    for (const o of outcomes) expect(o).toEqual({ ...fresh, kind: o.kind });
    expect(await effects(k)).toHaveLength(1);
  });
});
