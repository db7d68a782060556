import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@0bit/testing/process';
import { describe, expect, it } from 'vitest';
import { SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();

describe('docs/embed.md', () => {
  it('its bootstrap curl example works as written', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/embed.md'), 'utf8');
    const script = /<!-- bootstrap-example:start -->\s*```bash\n([\s\S]*?)```/.exec(doc)![1]!;
    const p = await server.partner({ allowed_domains: ['https://partner.example'] });
    const session = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    // Asynchronously: the API answering curl runs in this very process.
    const run = await promisify(execFile)('bash', ['-c', script], {
      env: {
        ...process.env,
        API: server.baseUrl,
        PK: p.keys.test.publishable_key,
        ORIGIN: 'https://partner.example',
        CLIENT_SECRET: session.body.client_secret,
      },
      encoding: 'utf8',
    });
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({
      session_id: session.body.id,
      amount: '100.00',
      mode: 'test',
      available: true,
    });
    expect(answer.token.split('.')).toHaveLength(3);
  });
});
