import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// One suite for the whole monorepo. The same tests run on the embedded PGlite (default) and on a real
// PostgreSQL + Redis when DATABASE_URL / REDIS_URL are set; the JSON report feeds the CI summary line.
const database = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/**
 * Files that take far longer than the rest (real processes, a browser, fault injection, deadlines that must
 * pass), longest first. They start first, so the many short files fill the other worker around them instead
 * of one long file running alone at the end. A clean clone (CI) has no record of earlier durations for vitest's
 * own order to go by; where it has one, this list still goes first. docs/testing.md, "Speed".
 */
const LONG_FIRST = [
  'apps/api/test/chaos.test.ts',
  'apps/server/test/cluster.test.ts',
  'apps/server/test/secrets-rotation.test.ts',
  'apps/server/test/startup.test.ts',
  'apps/server/test/graceful-shutdown.test.ts',
  'apps/server/test/health.test.ts',
  'apps/server/test/metrics.test.ts',
  'apps/server/test/production-build.test.ts',
  'apps/api/test/widget-money.test.ts',
  'apps/api/test/webhook-faults.test.ts',
  'apps/widget/test/e2e.test.ts',
  'packages/gate/test/package.test.ts',
  'apps/api/test/expiry.test.ts',
  'apps/server/test/data-dir.test.ts',
  'apps/server/test/admin.test.ts',
  'apps/server/test/layers.test.ts',
  'apps/server/test/exchange-standalone.test.ts',
];

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONG_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId));
      return index === -1 ? LONG_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * Files that change process-wide state a later file in the same worker would inherit: the tracing tests start
 * the OpenTelemetry SDK, which patches node:http and pg for the whole process, and the tracing-off test
 * checks that no SDK module was ever loaded. They run in a worker process of their own (isolate: true).
 */
const OWN_PROCESS = ['apps/server/test/tracing.test.ts', 'apps/server/test/tracing-off.test.ts'];
const ALL = ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      // Each inherits this config (extends; arrays such as include would add up, so the root sets none) but
      // not its globalSetup, which runs once, for both, at the root.
      { extends: true, test: { name: 'shared', include: ALL, exclude: OWN_PROCESS, globalSetup: [] } },
      {
        extends: true,
        test: { name: 'own-process', include: OWN_PROCESS, isolate: true, globalSetup: [] },
      },
    ],
    // Builds @0bit/gate's dist/ once, so tests that import it by name run what a partner installs; migrates
    // one database once, which every test file's freshDatabase() clones (docs/testing.md).
    globalSetup: ['packages/gate/test/global-setup.ts', 'packages/testing/src/global-setup.ts'],
    pool: 'forks',
    // Two worker processes for the machine's two cores. Each takes test file after test file without
    // restarting (isolate: false), so the modules every file imports (Fastify, Kysely, pg, PGlite, the apps)
    // load once per worker instead of once per file. Every test file still gets its own database, server and
    // module-level state (a test file's own module is evaluated afresh); no test mocks modules or changes
    // process.env, which a shared worker would carry over. docs/testing.md, "Speed".
    maxWorkers: 2,
    isolate: false,
    sequence: { sequencer: LongFirst },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: `test-results/vitest-${database}.json` },
  },
});
