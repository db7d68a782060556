import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@0bit/db/connection';
import { resolveLocalSecrets } from '@0bit/server/dev/local-secrets';
import { afterAll, describe, expect, it } from 'vitest';

// Issue #14, finding 10: the PGlite data directory was world-readable (755/644) while it holds IBANs,
// wallets and metadata in plain text.
const root = mkdtempSync(join(tmpdir(), 'gate-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every path under `dir` (itself included) whose mode lets group or others in. */
function loosePaths(dir: string): string[] {
  const loose: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) loose.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
  return loose;
}

describe('DATA_DIR is private to its owner', () => {
  it('a fresh data directory and everything PGlite writes in it are 0700/0600', async () => {
    const dataDir = join(root, 'fresh', '.data');
    const database = await openDatabase({ dataDir });
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
    expect(loosePaths(dataDir)).toEqual([]);
    const files = readdirSync(join(dataDir, 'pgdata'));
    expect(files.length).toBeGreaterThan(3);
    await database.close();
    expect(loosePaths(dataDir)).toEqual([]);
  }, 60_000);

  it('tightens an existing world-readable data directory at start', async () => {
    const dataDir = join(root, 'old');
    mkdirSync(join(dataDir, 'nested'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'nested', 'notes.txt'), 'IBAN DE89370400440532013000', { mode: 0o644 });
    chmodSync(join(dataDir, 'nested', 'notes.txt'), 0o644);
    const database = await openDatabase({ dataDir });
    await database.close();
    expect(loosePaths(dataDir)).toEqual([]);
    expect(lstatSync(join(dataDir, 'nested', 'notes.txt')).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('local secrets create the directory 0700 too', () => {
    const dataDir = join(root, 'secrets-first');
    resolveLocalSecrets(dataDir, { adminToken: undefined, secretsKey: undefined, embedTokenKeys: undefined });
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
    expect(loosePaths(dataDir)).toEqual([]);
  });
});
