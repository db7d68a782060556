import { usingPostgres } from '@0bit/testing/database';
import { runCommand } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';

/**
 * The benchmarks of issue #18 in a short smoke mode (BENCH_SMOKE=1: one short round, targets reported but not
 * enforced, no last-run.md), so they keep working: each prints the minimal reference and ours side by side
 * with the ratio, and every request of ours succeeds. Not a measurement: the numbers are not checked.
 */
const node = (script: string, env: Record<string, string>) =>
  runCommand(process.execPath, ['--import', 'tsx', script], { env: { BENCH_SMOKE: '1', ...env } });

describe('benchmarks, smoke mode', () => {
  it('bench/api prints the reference and ours with their ratio, without a failed request', async () => {
    const result = await node('bench/api/run.ts', {
      BENCH_SECONDS: '1',
      BENCH_ROUNDS: '1',
      BENCH_WARM_UP: '1',
      BENCH_CONNECTIONS: '4',
    });
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.split('\n').filter((l) => l.startsWith('| '));
    const databases = usingPostgres() ? ['PGlite', 'PostgreSQL'] : ['PGlite'];
    for (const db of databases)
      for (const route of ['retrieve', 'create']) {
        expect(rows.some((r) => r.startsWith(`| minimal ${route} (${db}) |`))).toBe(true);
        const ours = rows.find((r) => r.startsWith(`| our ${route} (${db}) |`));
        expect(ours, result.stdout).toMatch(/\*\*\d+\.\d\d\*\* \(≥ 0\.\d/);
        // errors and non-2xx, the last two columns
        expect(
          ours
            ?.split('|')
            .slice(-3, -1)
            .map((c) => c.trim()),
        ).toEqual(['0', '0']);
      }
  }, 180_000);

  it.skipIf(!usingPostgres())(
    'bench/webhooks drains a backlog with the reference and with ours',
    async () => {
      const result = await node('bench/webhooks/run.ts', {
        BENCH_EVENTS: '200',
        BENCH_ROUNDS: '1',
        BENCH_STREAM_SECONDS: '1',
        BENCH_STREAM_RATE: '50',
      });
      expect(result.code, result.stderr).toBe(0);
      for (const scenario of ['one partner', '20 partners']) {
        expect(result.stdout).toContain(`| minimal outbox drain, ${scenario} |`);
        expect(result.stdout).toMatch(
          new RegExp(`\\| our worker, ${scenario} \\| \\d+ \\| \\*\\*\\d+\\.\\d\\d\\*\\*`),
        );
      }
      expect(result.stdout).toContain('| duplicate deliveries (phase 2) | 0 |');
    },
    180_000,
  );
});
