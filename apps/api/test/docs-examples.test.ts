import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();

/** Every `<!-- example:name -->` bash block of a doc, in order. */
function examples(doc: string): Array<{ name: string; script: string }> {
  const text = readFileSync(join(REPO_ROOT, 'docs', doc), 'utf8');
  return [...text.matchAll(/<!-- example:([\w-]+) -->\s*```bash\n([\s\S]*?)```/g)].map((m) => ({
    name: m[1]!,
    script: m[2]!,
  }));
}

// uuidgen is not on every machine; the examples use it as a partner would, so provide one.
const UUIDGEN = 'uuidgen() { node -e "console.log(crypto.randomUUID())"; }\n';

async function run(script: string, env: Record<string, string>) {
  const { stdout } = await promisify(execFile)('bash', ['-c', UUIDGEN + script], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout);
}

describe('docs/portal.md and docs/sandbox.md examples run as written', () => {
  it('portal examples', async () => {
    const p = await server.partner();
    const sk = p.keys.test.secret_key;
    const list = await server.call('GET', '/portal/keys', { headers: bearer(sk) });
    const publishable = list.body.data.find((k: { type: string }) => k.type === 'publishable');
    const env = { API: server.baseUrl, SK: sk, KEY_ID: publishable.id };
    const names = [];
    for (const { name, script } of examples('portal.md')) {
      const answer = await run(script, env);
      expect(answer.statusCode, `${name}: ${JSON.stringify(answer)}`).toBeUndefined();
      names.push(name);
    }
    expect(names).toEqual(['create-key', 'list-keys', 'roll-key', 'set-domains', 'usage']);
  });

  it('sandbox examples', async () => {
    const p = await server.partner();
    const sk = p.keys.test.secret_key;
    const sessions = [];
    for (let i = 0; i < 2; i++)
      sessions.push(
        (
          await server.call('POST', '/v1/gate_sessions', {
            headers: writeHeaders(sk),
            body: SPEC_CREATE_BODY,
          })
        ).body.id,
      );
    const results = [];
    for (const [i, { script }] of examples('sandbox.md').entries())
      results.push(await run(script, { API: server.baseUrl, SK: sk, SESSION_ID: sessions[i]! }));
    expect(results.map((r) => r.status)).toEqual(['completed', 'open']);
    const events = await server.call('GET', '/v1/events', { headers: bearer(sk) });
    expect(events.body.data.map((e: { type: string }) => e.type)).toContain('kyc.required');
  });
});
