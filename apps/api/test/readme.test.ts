import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('documents every environment variable the platform reads', () => {
    // Each owner reads its own variables; apps/server/src/config.ts composes them (README "Architecture").
    const config = [
      'apps/server/src/config.ts',
      'apps/api/src/config.ts',
      'apps/exchange/src/config.ts',
      'packages/webhooks/src/start.ts',
      'packages/http/src/timeouts.ts',
      'apps/hub/src/config.ts',
    ]
      .map((file) => readFileSync(join(REPO_ROOT, file), 'utf8'))
      .join('\n');
    const read = new Set(
      [...config.matchAll(/env\.([A-Z][A-Z0-9_]+)|\(\s*'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2]),
    );
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const missing = [...read].filter((name) => !readme.includes(`\`${name}\``));
    expect(read.size).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
