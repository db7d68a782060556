import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import type { TestProject } from 'vitest/node';
import { createTestDatabase, usingPostgres } from './database.ts';

/**
 * Migrates once per test run, so each test file clones a migrated database instead of building one.
 *
 * PostgreSQL (DATABASE_URL): one migrated template database; `freshDatabase()` runs
 * `CREATE DATABASE … TEMPLATE <it>` per file. Dropped when the run ends.
 * PGlite: one in-memory instance, dumped twice to a scratch directory: right after initdb (for tests that
 * migrate on their own) and after the migrations. `freshDatabase()` starts PGlite from a dump, which skips
 * initdb, the slow part (seconds) of a new PGlite; the dumps are files since every test file runs in a
 * process of its own. Removed when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (usingPostgres()) {
    const template = await createTestDatabase({ prefix: 'gate_template' });
    const opened = await openDatabase({ databaseUrl: template.url, poolSize: 1 });
    try {
      await migrateToLatest(opened.db);
    } finally {
      // CREATE DATABASE … TEMPLATE refuses a template that has sessions: none may stay open.
      await opened.close();
    }
    project.provide('testDatabase', { kind: 'postgres', template: template.name });
    return template.drop;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gate-test-pglite-'));
  const opened = await openDatabase({ dataDir: null });
  try {
    const blank = join(dir, 'blank.tar');
    const migrated = join(dir, 'migrated.tar');
    // Uncompressed: loading a gzip dump costs more than the bytes it saves on a local disk.
    writeFileSync(blank, await dumpOf(opened.pglite!));
    await migrateToLatest(opened.db);
    writeFileSync(migrated, await dumpOf(opened.pglite!));
    project.provide('testDatabase', { kind: 'pglite', blank, migrated });
  } finally {
    await opened.close();
  }
  return async () => rmSync(dir, { recursive: true, force: true });
}

async function dumpOf(pglite: NonNullable<Awaited<ReturnType<typeof openDatabase>>['pglite']>) {
  return Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
}
