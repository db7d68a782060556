/**
 * The production build of the server: each entry of apps/server/src becomes one JavaScript file in
 * apps/server/dist. The workspace packages (@0bit/*, TypeScript sources) are bundled in; every other package
 * stays an import, resolved from node_modules at run time (`npm ci --omit=dev` installs them), so the output
 * runs on plain `node` with no tsx, Vite or TypeScript. Assets are found through their packages at run time
 * (the widget's dist/, the example shop's public/), never relative to this bundle.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The entries an operator runs (docs/operating-build-tracing.md). */
export const ENTRIES = ['main', 'worker-main', 'exchange-main', 'cli/migrate', 'cli/admin'] as const;

/** Bare imports that are not the workspace's own packages stay imports of node_modules. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@0bit/') ? undefined : { path: args.path, external: true },
    );
  },
};

/** Builds into `dist` (apps/server/dist by default; the production-build test builds into a scratch copy). */
export async function buildServer(dist = join(root, 'dist')): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: ENTRIES.map((entry) => ({ in: join(root, 'src', `${entry}.ts`), out: entry })),
    outdir: dist,
    bundle: true,
    // Shared code in chunks, and dynamic imports stay lazy: the OpenTelemetry SDK loads only when enabled.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [externalPackages],
  });
}

const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const dist = resolve(values.outdir ?? join(root, 'dist'));
await buildServer(dist);
console.log(`built ${dist}`);
