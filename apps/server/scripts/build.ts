/**
 * The production build of the server: each entry of apps/server/src becomes one JavaScript file in
 * apps/server/dist. The workspace packages (@0bit/*, TypeScript sources) are bundled in; every other package
 * stays an import, resolved from node_modules at run time (`npm ci --omit=dev` installs them), so the output
 * runs on plain `node` with no tsx, Vite or TypeScript. Assets are found through their packages at run time
 * (the widget's dist/, the example shop's public/), never relative to this bundle.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const repo = resolve(root, '../..');

/** The entries an operator runs (docs/operating.md, "Production build"). */
export const ENTRIES = [
  'main',
  'worker-main',
  'exchange-main',
  'widget-main',
  'hub-main',
  'cluster',
  'cli/migrate',
  'cli/admin',
] as const;

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

/** Built output the server reads at run time besides its own bundle (widget, SDK browser build, shop page). */
const SHIPPED_ASSETS = ['apps/widget/dist', 'packages/gate/dist', 'examples/partner-node/public'];

/**
 * What a production host needs, copied into `target`: the root manifest and lockfile, every workspace's
 * manifest (npm ci links the workspaces), the built server and the assets above; no TypeScript source.
 * `npm ci --omit=dev` there installs the runtime dependencies.
 */
export async function ship(target: string): Promise<void> {
  for (const asset of SHIPPED_ASSETS)
    if (!existsSync(join(repo, asset))) throw new Error(`${asset} is missing: run "npm run build" first`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(repo, file), join(target, file));
  for (const group of ['apps', 'packages', 'examples'])
    for (const name of readdirSync(join(repo, group))) {
      const manifest = join(group, name, 'package.json');
      if (!existsSync(join(repo, manifest))) continue;
      mkdirSync(dirname(join(target, manifest)), { recursive: true });
      cpSync(join(repo, manifest), join(target, manifest));
    }
  for (const asset of SHIPPED_ASSETS) cpSync(join(repo, asset), join(target, asset), { recursive: true });
  await buildServer(join(target, 'apps/server/dist'));
}

// `--ship <dir>`: the production folder (build the widget and SDK first: `npm run build`).
// `--outdir <dir>`: the server bundle only, elsewhere than apps/server/dist.
const { values } = parseArgs({ options: { outdir: { type: 'string' }, ship: { type: 'string' } } });
if (values.ship) {
  await ship(resolve(values.ship));
  console.log(`shipped to ${resolve(values.ship)}; run "npm ci --omit=dev" there`);
} else {
  const dist = resolve(values.outdir ?? join(root, 'dist'));
  await buildServer(dist);
  console.log(`built ${dist}`);
}
