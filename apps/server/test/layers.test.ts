import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, runCommand } from '@0bit/testing/process';
import { afterAll, describe, expect, it } from 'vitest';

// The layer rules (.dependency-cruiser.cjs, `npm run layers`) run once on the real tree, which must pass, and
// once on a small fixture workspace with a few violating files, which must fail on each of them by rule name.
// The fixture is the real rule file, tsconfig and package manifests (so `@0bit/<name>/…` imports resolve
// through each package's real `exports` map, over node_modules/@0bit/* symlinks as npm workspaces make them),
// and of the sources only the real files the violations import. Cruising it takes a fraction of a copy of
// the whole workspace; that the whole real tree is clean is what the first test proves.
const DEPCRUISE = join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** What `npm run layers` prints: one `error <rule>: <from> → <to>` line per violation, then a count. */
function cruise(cwd: string) {
  return runCommand(
    process.execPath,
    [DEPCRUISE, 'apps', 'packages', '--config', '.dependency-cruiser.cjs'],
    {
      cwd,
    },
  );
}

/** The real source files the violations below import: copied into the fixture at their real paths. */
const TARGETS = [
  'apps/api/src/app.ts',
  'apps/api/src/store/api-keys.ts',
  'apps/exchange/src/domain/orders.ts',
  'apps/exchange/src/config.ts',
];

/** Rules, tsconfig, every workspace manifest with its node_modules/@0bit link, and the TARGETS. */
function fixtureWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), '0bit-layers-'));
  for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json'])
    cpSync(join(REPO_ROOT, file), join(root, file));
  for (const group of ['apps', 'packages'])
    for (const name of readdirSync(join(REPO_ROOT, group))) {
      cpSync(join(REPO_ROOT, group, name, 'package.json'), join(root, group, name, 'package.json'));
      mkdirSync(join(root, group, name, 'src'), { recursive: true });
      // How workspaces link them: node_modules/@0bit/<name> → ../../<group>/<name>.
      const link = join(root, 'node_modules/@0bit', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join('..', '..', group, name), link);
    }
  for (const file of TARGETS) cpSync(join(REPO_ROOT, file), join(root, file));
  return root;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('layer rules (npm run layers)', () => {
  it('pass on the real tree', async () => {
    const run = await runCommand('npm', ['run', '-s', 'layers']);
    expect(run.stdout + run.stderr).toContain('no dependency violations found');
    expect(run.code).toBe(0);
  });

  it('fail, naming the rule, on an app importing another app by package name and on http reading the store', async () => {
    for (const file of TARGETS) expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    const root = fixtureWorkspace();
    roots.push(root);
    write(root, 'apps/exchange/src/leak.ts', "export { buildApp } from '@0bit/api/app';\n");
    write(root, 'apps/api/src/http/leak.ts', "export { lookupKey } from '../store/api-keys.ts';\n");
    write(root, 'apps/exchange/src/store/leak.ts', "export { listOrderPage } from '../domain/orders.ts';\n");
    write(
      root,
      'packages/core/src/leak.ts',
      "export type { ExchangeConfig } from '@0bit/exchange/config';\n",
    );
    write(
      root,
      'apps/api/src/domain/cycle-a.ts',
      "import { b } from './cycle-b.ts';\nexport const a = () => b;\n",
    );
    write(
      root,
      'apps/api/src/domain/cycle-b.ts',
      "import { a } from './cycle-a.ts';\nexport const b = () => a;\n",
    );

    const run = await cruise(root);
    expect(run.code).not.toBe(0);
    // The package name resolved to the real file, so the cross-app rule saw apps/api/src/app.ts.
    expect(run.stdout).toContain(
      'error no-app-imports-another-app: apps/exchange/src/leak.ts → apps/api/src/app.ts',
    );
    expect(run.stdout).toContain(
      'error http-does-not-touch-store: apps/api/src/http/leak.ts → apps/api/src/store/api-keys.ts',
    );
    expect(run.stdout).toContain(
      'error store-is-the-bottom-layer: apps/exchange/src/store/leak.ts → apps/exchange/src/domain/orders.ts',
    );
    expect(run.stdout).toContain(
      'error packages-import-no-app-or-example: packages/core/src/leak.ts → apps/exchange/src/config.ts',
    );
    expect(run.stdout).toContain('error no-circular-in-src: apps/api/src/domain/cycle-');
    // Those five and nothing else: the real files copied in (TARGETS) break no rule by themselves.
    expect(run.stdout).toContain('x 5 dependency violations');
  });
});
