import { usingPostgres } from '@0bit/testing/database';
import { runCommand } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';

interface ChaosResult {
  ok: boolean;
  lost: number;
  crashes: number;
  scenarios: Array<{ scenario: string; committed: number; delivered: number; lost: number; ok: boolean }>;
}

/**
 * The fault matrix's short mode (`npm run chaos -- --short`): worker SIGKILL mid-backlog, PostgreSQL
 * restart and Redis stop under load, on a PostgreSQL and a Redis the harness starts and removes itself
 * (never the shared servers). Real processes on PostgreSQL, so it runs in CI's PostgreSQL pass only.
 */
describe.skipIf(!usingPostgres())('fault matrix, short mode (bench/chaos)', () => {
  it('loses no event and no process dies unexpectedly', async () => {
    // The harness must not see the suite's database or Redis: it owns its own.
    const result = await runCommand(process.execPath, ['--import', 'tsx', 'bench/chaos/run.ts', '--short'], {
      env: { DATABASE_URL: undefined, REDIS_URL: undefined, CHAOS_SHORT: '1' },
    });
    const line = result.stdout.split('\n').find((l) => l.startsWith('CHAOS_RESULT '));
    const report = result.stdout.split('\nFault matrix')[1] ?? result.stdout.slice(-4000);
    expect(line, `no CHAOS_RESULT line; output:\n${result.stdout}\n${result.stderr}`).toBeDefined();
    const parsed = JSON.parse(line!.slice('CHAOS_RESULT '.length)) as ChaosResult;
    expect(parsed.scenarios.map((s) => s.scenario)).toEqual(['worker-kill', 'pg-restart', 'redis-stop']);
    for (const s of parsed.scenarios)
      expect(s.committed, `${s.scenario} committed events`).toBeGreaterThan(0);
    expect(parsed.lost, `events lost:\nFault matrix${report}`).toBe(0);
    expect(parsed.crashes, `unexpected process exits:\nFault matrix${report}`).toBe(0);
    expect(result.code, `npm run chaos -- --short failed:\nFault matrix${report}`).toBe(0);
  }, 200_000);
});
