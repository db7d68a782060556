/**
 * bench/widget: what a partner's visitors download (gzipped sizes of the browser SDK and the widget) and how
 * long `mount()` takes to WIDGET_READY in headless Chromium — bootstrap, iframe load, INIT_CONFIG, React
 * start — against a baseline measured in the same run: loading an empty iframe from the same widget origin.
 * `npm run bench:widget`. Writes a report to stdout and bench/widget/last-run.md; RESULTS.md quotes it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHROMIUM_FLAGS } from '@0bit/widget/test-support/harness';
import { chromium } from 'playwright-core';
import { ROOT, start, stop } from '../support.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

const sizes: Array<[string, number, number]> = [];
for (const file of ['index.js', 'gate.iife.js']) {
  const path = join(ROOT, 'packages/gate/dist/browser', file);
  sizes.push([`@0bit/gate/browser ${file}`, readFileSync(path).length, gz(path)]);
}
for (const file of readdirSync(join(ROOT, 'apps/widget/dist/assets')).filter((f) => /\.(js|css)$/.test(f))) {
  const path = join(ROOT, 'apps/widget/dist/assets', file);
  sizes.push([`widget ${file.replace(/-[\w-]{8}\./, '.')}`, readFileSync(path).length, gz(path)]);
}

const dataDir = mkdtempSync(join(tmpdir(), 'widget-bench-'));
const platform = await start(
  'apps/server/src/main.ts',
  // The demo partner allows the default widget and shop origins, so this run uses those ports (3000, 5173).
  { DATA_DIR: dataDir, DEMO_PARTNER: 'on', WIDGET_PORT: '3000', EXAMPLE_PORT: '5173' },
  /Example shop \(examples\/partner-node\) on http:\/\/localhost:(\d+)/,
);
const widgetPort = Number(/0Gate widget on http:\/\/localhost:(\d+)/.exec(platform.output())![1]);
const shop = `http://localhost:${platform.port}`;
const widget = `http://localhost:${widgetPort}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_FLAGS,
  headless: true,
});
const mounts: number[] = [];
const blanks: number[] = [];
try {
  const page = await browser.newPage();
  await page.goto(shop);
  for (let i = 0; i < RUNS + 2; i++) {
    const [mount, blank] = await page.evaluate(async (widgetOrigin) => {
      const config = await fetch('/config.json').then((r) => r.json());
      const order = await fetch('/api/orders', { method: 'POST', body: '{"flow":"on_ramp"}' }).then((r) =>
        r.json(),
      );
      const host = document.getElementById('ramp')!;
      const { GateJS } = window as never as {
        GateJS: { GateRamp: new (o: object) => { mount(e: Element): Promise<void>; unmount(): void } };
      };
      const ramp = new GateJS.GateRamp({
        ...config,
        clientSecret: order.clientSecret,
        environment: 'development',
      });
      let t = performance.now();
      await ramp.mount(host);
      const mounted = performance.now() - t;
      ramp.unmount();
      const frame = document.createElement('iframe');
      t = performance.now();
      await new Promise((resolve) => {
        frame.onload = resolve;
        frame.src = `${widgetOrigin}/config.json?${Math.random()}`;
        host.appendChild(frame);
      });
      const loaded = performance.now() - t;
      frame.remove();
      return [mounted, loaded];
    }, widget);
    if (i >= 2) {
      // the first two warm the caches, as a returning visitor's browser would be
      mounts.push(mount);
      blanks.push(blank);
    }
  }
} finally {
  await browser.close();
  await stop(platform.child);
  rmSync(dataDir, { recursive: true, force: true });
}

const lines = [
  `Run ${new Date().toISOString()} · Chromium ${browser.version()} headless · ${RUNS} mounts after 2 warm-up`,
  '',
  '| asset | raw | gzipped |',
  '|---|---:|---:|',
  ...sizes.map(([name, raw, zipped]) => `| ${name} | ${kb(raw)} | ${kb(zipped)} |`),
  '',
  '| measurement | p50 ms | p95 ms | vs baseline (p50) |',
  '|---|---:|---:|---:|',
  `| baseline: empty iframe from the widget origin | ${percentile(blanks, 50).toFixed(1)} | ${percentile(blanks, 95).toFixed(1)} | 1.0× |`,
  `| GateRamp.mount() → WIDGET_READY (bootstrap + iframe + INIT_CONFIG + React) | ${percentile(mounts, 50).toFixed(1)} | ${percentile(mounts, 95).toFixed(1)} | ${(percentile(mounts, 50) / percentile(blanks, 50)).toFixed(1)}× |`,
];
const text = lines.join('\n');
console.log(text);
writeFileSync(join(ROOT, 'bench/widget/last-run.md'), `${text}\n`);
process.exit(0);
