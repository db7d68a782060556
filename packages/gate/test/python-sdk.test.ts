import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTestServer } from '@0bit/api/test-support/server';
import { REPO_ROOT, runCommand } from '@0bit/testing/process';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The Python SDK's unittest suite (packages/gate/python/tests) against this run's real API and webhook
 * worker. Each Python test is reported here as its own test, with its traceback when it fails.
 */
const PYTHON_DIR = join(REPO_ROOT, 'packages/gate/python');
const RUNNER = join(PYTHON_DIR, 'tests/run.py');
// Listing happens while the suite is collected (no server is listening yet, so a synchronous call is safe).
const pythonTests: string[] = JSON.parse(
  execFileSync('python3', [RUNNER, '--list'], { cwd: PYTHON_DIR, encoding: 'utf8' }),
);

const server = useTestServer({ webhooks: {} });
let outcomes: Record<string, { outcome: 'passed' | 'failed' | 'skipped'; detail: string }> = {};
let output = '';

beforeAll(async () => {
  const resultsFile = join(REPO_ROOT, 'test-results', `python-sdk-${process.pid}.json`);
  const run = await runCommand('python3', [RUNNER, '--json', resultsFile], {
    cwd: PYTHON_DIR,
    env: { GATE_TEST_BASE_URL: server.baseUrl, GATE_TEST_ADMIN_TOKEN: server.adminToken },
  });
  output = run.stdout + run.stderr;
  outcomes = JSON.parse(readFileSync(resultsFile, 'utf8'));
}, 240_000);

describe('Python SDK (unittest)', () => {
  it('lists its tests', () => expect(pythonTests.length).toBeGreaterThan(10));

  for (const id of pythonTests) {
    it(id.replace(/^tests\./, ''), (context) => {
      const result = outcomes[id];
      expect(result, `no outcome recorded for ${id}:\n${output}`).toBeDefined();
      if (result!.outcome === 'skipped') context.skip(result!.detail);
      expect(result!.outcome, result!.detail).toBe('passed');
    });
  }
});
