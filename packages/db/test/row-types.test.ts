import { readFileSync } from 'node:fs';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_PATH, rowTypesFor } from '../scripts/row-types.ts';

// Runs on both databases: the generator reads only information_schema and pg_constraint, which PGlite has.
let database: TestDatabase;
let db: Kysely<unknown>;
beforeAll(async () => {
  database = await freshDatabase();
  db = database.db as unknown as Kysely<unknown>;
});
afterAll(() => database.close());

describe('Kysely row types generated from the migrations', () => {
  it('match what a freshly migrated database holds (else: npm run db:types)', async () => {
    const expected = await rowTypesFor(db);
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    // A plain equality check prints a huge diff; say what to run instead.
    expect(committed === expected, 'src/generated/rows.ts is stale: run `npm run db:types`').toBe(true);
  });

  it('would notice a drift: a new column and a widened CHECK change the generated types', async () => {
    await sql`ALTER TABLE partners ADD COLUMN tier text NOT NULL DEFAULT 'basic' CHECK (tier IN ('basic', 'pro'))`.execute(
      db,
    );
    await sql`ALTER TABLE gate_sessions DROP CONSTRAINT gate_sessions_status_check`.execute(db);
    await sql`ALTER TABLE gate_sessions ADD CONSTRAINT gate_sessions_status_check
      CHECK (status IN ('open', 'completed', 'expired', 'cancelled', 'refunded'))`.execute(db);
    const changed = await rowTypesFor(db);
    expect(changed).toContain("tier: Generated<'basic' | 'pro'>;");
    expect(changed).toContain("status: 'open' | 'completed' | 'expired' | 'cancelled' | 'refunded';");
    expect(changed).not.toBe(readFileSync(GENERATED_PATH, 'utf8'));
  });

  it('names the platform unions instead of restating them, and types JSON columns as configured', () => {
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    expect(committed).not.toMatch(/'test' \| 'live'/);
    expect(committed).toContain('  mode: Mode;');
    expect(committed).toContain('  flow: Flow | null;');
    expect(committed).toContain('  metadata: Generated<Json<Record<string, string>>>;');
  });
});
