import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { useTestServer } from '@0bit/api/test-support/server';
import { REPO_ROOT, runCommand } from '@0bit/testing/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };

const server = useTestServer();
let project: string;

/** What a partner does: `npm install` the packed tarball into a project of its own, outside this workspace. */
beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'gate-consumer-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // dist/ is already built by the global setup; --ignore-scripts keeps prepack from rebuilding it under
  // tests that are reading it in parallel.
  const packed = await runCommand('npm', ['pack', join(REPO_ROOT, 'packages/gate'), '--ignore-scripts'], {
    cwd: project,
  });
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
  const installed = await runCommand(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`],
    {
      cwd: project,
    },
  );
  expect(installed.code, installed.stderr).toBe(0);
}, 120_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

const CONSUMER = (load: string) => `${load}
const gate = new GateClient({ apiKey: process.env.GATE_KEY, baseUrl: process.env.GATE_BASE_URL });
const session = await gate.sessions.create({ amount: '12.50', currency: 'EUR', return_url: 'https://partner.example/done' });
const again = await gate.sessions.retrieve(session.id);
const notFound = await gate.sessions.retrieve('ffffffffffffffffffffffff').catch((e) => e);
console.log(JSON.stringify({ ua: USER_AGENT, status: again.status, amount: again.amount, notFound: notFound instanceof NotFoundError }));
`;

async function runConsumer(file: string, source: string) {
  writeFileSync(join(project, file), source);
  const { keys } = await server.partner();
  const result = await runCommand(process.execPath, [file], {
    cwd: project,
    env: { GATE_KEY: keys.test.secret_key, GATE_BASE_URL: server.baseUrl },
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

describe('the packed @0bit/gate, installed like a partner would', () => {
  const expected = { ua: `gate-node/${pkg.version}`, status: 'open', amount: '12.50', notFound: true };

  it('works from ESM (import)', async () => {
    const source = CONSUMER("import { GateClient, NotFoundError, USER_AGENT } from '@0bit/gate';");
    expect(await runConsumer('consumer.mjs', source)).toEqual(expected);
  });

  it('works from CommonJS (require)', async () => {
    const source = CONSUMER("const { GateClient, NotFoundError, USER_AGENT } = require('@0bit/gate');");
    expect(await runConsumer('consumer.cjs', `(async () => {${source}})();`)).toEqual(expected);
  });

  it('ships no runtime dependencies and no sources; the browser entry imports in Node without touching window', async () => {
    const installed = join(project, 'node_modules/@0bit/gate');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['@0bit']);
    const browser = await runCommand(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@0bit/gate/browser'); console.log(Object.keys(m).sort().join(','))",
      ],
      { cwd: project },
    );
    expect(browser.stderr).toBe('');
    expect(browser.stdout.trim()).toBe(
      'BootstrapError,ConfigError,ENVIRONMENTS,GateJsError,GateRamp,MOUNT_TIMEOUT_MS,MountTimeoutError,SecretKeyInBrowserError,createGateOffRamp,createGateOnRamp,createGateSwap',
    );
  });

  it('keeps the browser SDK within its budget of 8 KB gzipped (ES module and <script> build)', () => {
    for (const file of ['index.js', 'gate.iife.js']) {
      const bytes = gzipSync(readFileSync(join(project, 'node_modules/@0bit/gate/dist/browser', file)), {
        level: 9,
      }).length;
      expect(bytes, file).toBeLessThanOrEqual(8 * 1024);
    }
  });

  it('types a strict TypeScript consumer for import and require, and rejects wrong parameters', async () => {
    const typed = (load: string) => `${load}
const gate = new GateClient({ apiKey: 'sk_test_x' });
export async function order(): Promise<string> {
  const session = await gate.sessions.create({ amount: '1.00', currency: 'EUR', return_url: 'https://x.example' });
  const status: 'open' | 'completed' | 'expired' | 'cancelled' = session.status;
  // @ts-expect-error amount is a decimal string, not a number
  await gate.sessions.create({ amount: 1, currency: 'EUR', return_url: 'https://x.example' });
  // @ts-expect-error no such session status
  const wrong: typeof session.status = 'refunded';
  const event = gate.webhooks.constructEvent('{}', 't=1,v1=00', 'whsec_x');
  if (event.type === 'gate_session.completed') console.log(event.data.tx_refid.toUpperCase());
  return session.client_secret + status + wrong;
}
`;
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src/esm.mts'), typed("import { GateClient } from '@0bit/gate';"));
    writeFileSync(join(project, 'src/cjs.cts'), typed("import { GateClient } from '@0bit/gate';"));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
        },
        include: ['src'],
      }),
    );
    const tsc = await runCommand(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'],
      {
        cwd: project,
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });
});
