import { type Db, openDatabase, preparedStatement } from '@0bit/db/connection';
import { freshDatabase, type TestDatabase, usingPostgres } from '@0bit/testing/database';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Hot statements (preparedStatement) are prepared once per PostgreSQL connection; on PGlite they run as
 * they are. Either way they answer like any query, in and out of transactions, and a schema change under a
 * prepared `SELECT *` (a migration while instances run) does not fail the next call.
 */
let database: TestDatabase;
let db: Db;
const FIND = preparedStatement('test_find_thing', 'SELECT * FROM prepared_things WHERE id = $1');
const find = (on: Db, id: number) =>
  on.executeQuery<Record<string, unknown>>(CompiledQuery.raw(FIND, [id])).then((r) => r.rows[0]);

beforeAll(async () => {
  database = await freshDatabase({ migrate: false });
  db = database.db;
  await sql`CREATE TABLE prepared_things (id integer PRIMARY KEY, name text NOT NULL)`.execute(db);
  await sql`INSERT INTO prepared_things VALUES (1, 'one'), (2, 'two')`.execute(db);
});
afterAll(() => database.close());

describe('prepared hot statements', () => {
  it('answer repeatedly and concurrently, on every pooled connection, and inside a transaction', async () => {
    const rows = await Promise.all(Array.from({ length: 30 }, (_, i) => find(db, (i % 2) + 1)));
    expect(rows.map((r) => r?.name)).toEqual(Array.from({ length: 30 }, (_, i) => (i % 2 ? 'two' : 'one')));
    expect(await find(db, 3)).toBeUndefined();
    const inside = await db.transaction().execute(async (trx) => {
      await sql`UPDATE prepared_things SET name = 'uno' WHERE id = 1`.execute(trx);
      return find(trx, 1);
    });
    expect(inside?.name).toBe('uno');
  });

  it('survive a column added under them: the next call prepares again and sees it', async () => {
    await Promise.all(Array.from({ length: 10 }, () => find(db, 2)));
    await sql`ALTER TABLE prepared_things ADD COLUMN note text NOT NULL DEFAULT 'added'`.execute(db);
    const rows = await Promise.all(Array.from({ length: 10 }, () => find(db, 2)));
    for (const row of rows) expect(row).toEqual({ id: 2, name: 'two', note: 'added' });
  });

  it.skipIf(!usingPostgres())('run as plain statements when prepared statements are off', async () => {
    const plain = await openDatabase({ databaseUrl: database.url, preparedStatements: false });
    try {
      const rows = await Promise.all(Array.from({ length: 5 }, () => find(plain.db, 1)));
      for (const row of rows) expect(row?.name).toBe('uno');
      // One connection (a transaction) for the call and the look at what that connection has prepared.
      const prepared = async (on: Db) =>
        on.transaction().execute(async (trx) => {
          await find(trx, 1);
          const r = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'test_find_thing%'`.execute(
            trx,
          );
          return r.rows[0]?.n;
        });
      expect(await prepared(plain.db)).toBe(0);
      expect(await prepared(db)).toBeGreaterThan(0);
    } finally {
      await plain.close();
    }
  });
});
