import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('documents every environment variable the platform reads', () => {
    const config = readFileSync(join(REPO_ROOT, 'apps/api/src/config.ts'), 'utf8');
    const read = new Set(
      [...config.matchAll(/env\.([A-Z][A-Z0-9_]+)|\(\s*'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2]),
    );
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const missing = [...read].filter((name) => !readme.includes(`\`${name}\``));
    expect(read.size).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
