import { MIGRATIONS, migrateToLatest } from '@0bit/db/migrate';
import { freshDatabase, usingPostgres } from '@0bit/testing/database';
import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';

const appliedMigrations = async (db: Parameters<typeof migrateToLatest>[0]) =>
  (
    await sql<{
      name: string;
      timestamp: string;
    }>`SELECT name, timestamp FROM kysely_migration ORDER BY name`.execute(db)
  ).rows;

describe('freshDatabase: migrated once per run, cloned per test file', () => {
  it('the run migrated one database for the database kind under test', () => {
    expect(inject('testDatabase').kind).toBe(usingPostgres() ? 'postgres' : 'pglite');
  });

  it('is a copy of that database: every migration is there, applied before this file asked for it', async () => {
    const asked = Date.now();
    const database = await freshDatabase();
    try {
      const applied = await appliedMigrations(database.db);
      expect(applied.map((m) => m.name)).toEqual(Object.keys(MIGRATIONS).sort());
      // Migrating here would stamp each migration now; a clone carries the stamps of the run's setup.
      for (const migration of applied) expect(Date.parse(migration.timestamp)).toBeLessThan(asked);
      expect(await migrateToLatest(database.db)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('gives each caller its own database: rows written in one are not in another', async () => {
    const [one, two] = [await freshDatabase(), await freshDatabase()];
    try {
      await sql`CREATE TABLE scratch_marker (id int)`.execute(one.db);
      await sql`INSERT INTO scratch_marker VALUES (1)`.execute(one.db);
      const seen = await sql<{ present: boolean }>`
        SELECT to_regclass('scratch_marker') IS NOT NULL AS present`.execute(two.db);
      expect(seen.rows[0]?.present).toBe(false);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('without migrations is empty, and the migrations then apply from the first one', async () => {
    const database = await freshDatabase({ migrate: false });
    try {
      const table = await sql<{ present: boolean }>`
        SELECT to_regclass('kysely_migration') IS NOT NULL AS present`.execute(database.db);
      expect(table.rows[0]?.present).toBe(false);
      expect(await migrateToLatest(database.db)).toEqual(Object.keys(MIGRATIONS).sort());
    } finally {
      await database.close();
    }
  });
});
