import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { bearer, useTestServer } from '@0bit/api/test-support/server';
import { REPO_ROOT, runScript, spawnScript } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';

const server = useTestServer({ webhooks: {} });

/** Writes a doc's code block where `@0bit/gate` resolves through the workspace, as for a partner. */
function exampleFile(name: string): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs/sdk-node.md'), 'utf8');
  const code = new RegExp(`<!-- sdk-example:${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(doc)![1]!;
  const dir = join(REPO_ROOT, 'test-results', 'sdk-docs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}.mts`);
  writeFileSync(file, code);
  return file;
}

describe('docs/sdk-node.md', () => {
  it('quickstart runs as written', async () => {
    const { keys } = await server.partner();
    const result = await runScript(exampleFile('quickstart'), [], {
      GATE_KEY: keys.test.secret_key,
      GATE_BASE_URL: server.baseUrl,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/[0-9a-f]{24} open/);
    expect(result.stdout).toContain('already terminal:');
  });

  it('webhook handler verifies a real delivery', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(sk),
      body: { url: `http://127.0.0.1:${port}/` },
    });
    const handler = spawnScript(exampleFile('webhook'), {
      GATE_KEY: sk,
      GATE_WEBHOOK_SECRET: endpoint.body.secret,
      PORT: String(port),
    });
    try {
      await handler.waitForOutput(/listening/);
      const created = await server.call('POST', '/v1/gate_sessions', {
        headers: { ...bearer(sk), 'idempotency-key': crypto.randomUUID() },
        body: { amount: '10', currency: 'EUR', return_url: 'https://partner.example/x' }, // ≥ the EUR minimum (docs/sessions.md)
      });
      await server.call('POST', `/v1/test_helpers/sessions/${created.body.id}/complete`, {
        headers: bearer(sk),
      });
      await handler.waitForOutput(new RegExp(`paid ${created.body.id} 0x[0-9a-f]{64}`));
    } finally {
      await handler.stop();
    }
  });
});
