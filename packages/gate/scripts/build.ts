/**
 * Builds what a partner installs: dist/esm (import), dist/cjs (require) and dist/types (.d.ts), from the
 * TypeScript sources the workspace runs directly. The package version is inlined from package.json at build
 * time, so the User-Agent and the published version cannot disagree.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/**
 * tsc keeps the sources' relative `.ts` specifiers; point them at `.js` for the ESM declarations and write a
 * `.d.cts` twin pointing at `.cjs`, so `require` consumers get CommonJS types rather than ESM ones.
 */
function finishDeclarations(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) finishDeclarations(path);
    else if (entry.name.endsWith('.d.ts')) {
      const source = readFileSync(path, 'utf8');
      const pointAt = (extension: string) =>
        source.replace(/(from '\.{1,2}\/[^']+)\.ts'/g, `$1.${extension}'`);
      writeFileSync(path, pointAt('js'));
      writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), pointAt('cjs'));
    }
  }
}

export async function buildPackage(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  const node: BuildOptions = {
    entryPoints: [join(root, 'src/node/index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node18',
  };
  await build({ ...node, format: 'esm', outfile: join(dist, 'esm/node/index.js') });
  await build({ ...node, format: 'cjs', outfile: join(dist, 'cjs/node/index.cjs') });
  // The browser SDK: an ES module for bundlers and a <script> build exposing window.GateJS; minified,
  // because partners ship it to every visitor (budget: 8 KB gzipped, bench/RESULTS.md).
  const browser: BuildOptions = {
    entryPoints: [join(root, 'src/browser/index.ts')],
    bundle: true,
    platform: 'browser',
    target: 'es2020',
    minify: true,
    keepNames: true, // error.name stays "SecretKeyInBrowserError", not a minified letter
  };
  await build({ ...browser, format: 'esm', outfile: join(dist, 'browser/index.js') });
  await build({
    ...browser,
    format: 'iife',
    globalName: 'GateJS',
    outfile: join(dist, 'browser/gate.iife.js'),
  });
  const react: BuildOptions = {
    entryPoints: [join(root, 'src/react/index.ts')],
    bundle: true,
    platform: 'neutral',
    target: 'es2020',
    external: ['react'],
  };
  await build({ ...react, format: 'esm', outfile: join(dist, 'react/index.js') });
  await build({ ...react, format: 'cjs', platform: 'node', outfile: join(dist, 'react/index.cjs') });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  finishDeclarations(join(dist, 'types'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPackage();
  console.log(`built ${dist}`);
}
