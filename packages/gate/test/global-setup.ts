import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildPackage } from '../scripts/build.ts';

const WIDGET = fileURLToPath(new URL('../../../apps/widget/', import.meta.url));

/**
 * Tests that import `@0bit/gate` by name get dist/, as a partner does; build it from the current sources.
 * The browser tests serve the built widget; `npm test` builds it first, a bare `vitest run` does it here.
 */
export default async function setup(): Promise<void> {
  await buildPackage();
  if (!existsSync(`${WIDGET}dist/index.html`))
    execFileSync(
      process.execPath,
      [
        fileURLToPath(new URL('../../../node_modules/vite/bin/vite.js', import.meta.url)),
        'build',
        '--logLevel',
        'warn',
      ],
      {
        cwd: WIDGET,
        stdio: 'inherit',
      },
    );
}
