import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCommand } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';
import { V2_ROUTES } from '../src/http/signature-v2.ts';
import { type Credentials, eventually, SANDBOX_ADDRESSES, useExchangeServer } from './support/server.ts';

const server = useExchangeServer({ webhooks: true, config: { sandboxSettleMs: 200 } });
const PRICE = '{"type":"float","fromCcy":"btc","toCcy":"usdt_trc20","direction":"from","amount":"0.01"}';

/** A fenced block of docs/exchange/<doc> marked `<!-- exchange-example:<name> -->`. */
function example(doc: string, name: string): string {
  const text = readFileSync(join(REPO_ROOT, 'docs/exchange', doc), 'utf8');
  const match = new RegExp(`<!-- exchange-example:${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!match) throw new Error(`no exchange-example:${name} in docs/exchange/${doc}`);
  return match[1]!;
}

function exampleFile(doc: string, name: string, extension: string): string {
  const dir = join(REPO_ROOT, 'test-results', 'exchange-docs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}.${extension}`);
  writeFileSync(file, example(doc, name));
  return file;
}

/**
 * The quickstart's snippets exactly as the spec writes them; only what the spec itself marks as yours is
 * replaced: the host, the credentials, the two example addresses and the ids from step 2.
 */
function personalise(snippet: string, creds: Credentials, extra: Record<string, string> = {}): string {
  let script = snippet
    .replaceAll('https://0trace.io', server.baseUrl)
    .replaceAll('http://localhost:4100', server.baseUrl)
    .replace(/APIKEY="rWqZ\.\.\.[^"]*"/, `APIKEY="${creds.apiKey}"`)
    .replace(/APISECRET="G1JV\.\.\.[^"]*"/, `APISECRET="${creds.apiSecret}"`)
    .replace('TXyz...recipient', SANDBOX_ADDRESSES.usdt_trc20)
    .replace('bc1q...refund', SANDBOX_ADDRESSES.btc);
  for (const [name, value] of Object.entries(extra))
    script = script.replace(`${name}="<from /v1/create>"`, `${name}="${value}"`);
  return script;
}

async function bash(script: string, env: Record<string, string> = {}) {
  const result = await runCommand('bash', ['-euo', 'pipefail', '-c', script], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('docs/exchange/quickstart.md', () => {
  it('carries the spec quickstart snippets verbatim (when the spec is checked out beside the repo)', (context) => {
    const spec = join(REPO_ROOT, '../shared/spec/0trace-partner-api-quickstart.txt');
    if (!existsSync(spec)) context.skip('../shared/spec is not beside this checkout');
    const text = readFileSync(spec, 'utf8');
    for (const step of ['step1', 'step2', 'step3'])
      expect(text, step).toContain(example('quickstart.md', step).trim());
  });

  it('runs the spec quickstart: the three openssl + curl snippets return code 0, then the sandbox deposit completes the order', async () => {
    const creds = await server.onboard();
    const step1 = await bash(personalise(example('quickstart.md', 'step1'), creds));
    expect(step1).toMatchObject({
      code: 0,
      data: { from: { amount: '0.01' }, to: { amount: '596' }, markupBps: 0 },
    });
    const step2 = await bash(personalise(example('quickstart.md', 'step2'), creds));
    expect(step2).toMatchObject({ code: 0, data: { status: 'NEW', token: expect.any(String) } });
    const ids = { ORDER_ID: step2.data.id, ORDER_TOKEN: step2.data.token };
    const step3 = await bash(personalise(example('quickstart.md', 'step3'), creds, ids));
    expect(step3).toMatchObject({ code: 0, data: { id: step2.data.id, status: 'NEW' } });
    const preamble = `APIKEY="${creds.apiKey}"\nAPISECRET="${creds.apiSecret}"\nORDER_ID="${step2.data.id}"\n`;
    const deposit = await bash(preamble + personalise(example('quickstart.md', 'deposit'), creds));
    expect(deposit).toMatchObject({ code: 0, data: { status: 'EXCHANGE' } });
    const done = await eventually(async () => {
      const order = await bash(personalise(example('quickstart.md', 'step3'), creds, ids));
      return order.data.status === 'DONE' ? order : undefined;
    });
    expect(done.data.to.tx.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('runs the Python and the Node client examples as written', async () => {
    const creds = await server.onboard();
    const env = {
      ZEROTRACE_BASE_URL: server.baseUrl,
      ZEROTRACE_API_KEY: creds.apiKey,
      ZEROTRACE_API_SECRET: creds.apiSecret,
    };
    for (const [command, file] of [
      ['python3', exampleFile('quickstart.md', 'python-client', 'py')],
      [process.execPath, exampleFile('quickstart.md', 'node-client', 'mjs')],
    ] as const) {
      const run = await runCommand(command, [file], { env });
      expect(run.stderr, command).toBe('');
      expect(run.stdout, command).toMatch(
        /^quote 596 usdt_trc20\norder [0-9a-f]{24} NEW send 0\.01 to bc1q\w+\nstatus NEW\n$/,
      );
    }
  });
});

describe('docs/exchange/authentication.md', () => {
  it('lists exactly the routes that require signature v2 (and the current pair)', () => {
    const text = readFileSync(join(REPO_ROOT, 'docs/exchange/authentication.md'), 'utf8');
    const table = text.slice(text.indexOf('**Where v2 is required.**'), text.indexOf('The answer is `401'));
    const documented = [...table.matchAll(/^\| `POST (\/api\/v1\/[^`]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...V2_ROUTES].sort());
  });

  it('runs the signature v2 examples: bash creates a reference code, Python opts in to v2 everywhere, Node rotates the credentials', async () => {
    const forBash = await server.onboard();
    const created = await bash(personalise(example('authentication.md', 'v2-bash'), forBash));
    expect(created).toMatchObject({ code: 0, data: { code: 'mobile-app', markupBps: 50, default: false } });

    const env = (creds: Credentials) => ({
      ZEROTRACE_BASE_URL: server.baseUrl,
      ZEROTRACE_API_KEY: creds.apiKey,
      ZEROTRACE_API_SECRET: creds.apiSecret,
    });
    const forPython = await server.onboard();
    const python = await runCommand('python3', [exampleFile('authentication.md', 'v2-python', 'py')], {
      env: env(forPython),
    });
    expect(python.stderr).toBe('');
    expect(python.stdout).toBe('requireV2 True\nquote 596 usdt_trc20\n');
    // Opted in: the quickstart's body-only signature no longer works for this partner.
    const v1 = await server.signed('/api/v1/price', PRICE, forPython);
    expect(v1.body).toMatchObject({ code: 3, msg: 'AUTH_INVALID' });

    const forNode = await server.onboard();
    const node = await runCommand(process.execPath, [exampleFile('authentication.md', 'v2-node', 'mjs')], {
      env: env(forNode),
    });
    expect(node.stderr).toBe('');
    const rotated = /^rotated sandbox new apiKey ([A-Za-z0-9]{32}) old pair until \d+\n$/.exec(node.stdout);
    expect(rotated, node.stdout).not.toBeNull();
    expect(rotated![1]).not.toBe(forNode.apiKey);
  });
});
