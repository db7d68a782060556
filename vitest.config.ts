import { defineConfig } from 'vitest/config';

// One suite for the whole monorepo. The same tests run on the embedded PGlite (default) and on a real
// PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set; the JSON report feeds the CI summary line.
const database = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export default defineConfig({
  test: {
    include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Builds @0bit/gate's dist/ once, so tests that import it by name run what a partner installs; migrates
    // one database once, which every test file's freshDatabase() clones (docs/testing.md).
    globalSetup: ['packages/gate/test/global-setup.ts', 'packages/testing/src/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: `test-results/vitest-${database}.json` },
  },
});
