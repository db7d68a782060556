import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from '@0bit/api/test-support/server';
import { runScript, spawnScript } from '@0bit/testing/process';
import { type Receiver, startReceiver, verifiedByOpenssl } from '@0bit/testing/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = useTestServer();
const dataDir = mkdtempSync(join(tmpdir(), 'gate-cli-'));
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver('/local-hook');
});
afterAll(async () => {
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /v1/events?ending_before', () => {
  it('returns the events right after the cursor, newest first, with has_more', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    for (let i = 0; i < 4; i++)
      await server.call('POST', '/v1/gate_sessions', { headers: writeHeaders(sk), body: SPEC_CREATE_BODY });
    const all = (await server.call('GET', '/v1/events', { headers: bearer(sk) })).body.data.map(
      (e: { id: string }) => e.id,
    );
    const oldest = all[3];
    const page = await server.call('GET', `/v1/events?ending_before=${oldest}&limit=2`, {
      headers: bearer(sk),
    });
    expect(page.body.data.map((e: { id: string }) => e.id)).toEqual([all[1], all[2]]);
    expect(page.body.has_more).toBe(true);
    const rest = await server.call('GET', `/v1/events?ending_before=${all[1]}&limit=2`, {
      headers: bearer(sk),
    });
    expect(rest.body.data.map((e: { id: string }) => e.id)).toEqual([all[0]]);
    expect(rest.body.has_more).toBe(false);
    const both = await server.call('GET', `/v1/events?ending_before=${all[1]}&starting_after=${all[2]}`, {
      headers: bearer(sk),
    });
    expect(both.status).toBe(400);
  });
});

describe('npm run gate -- listen / trigger', () => {
  it('forwards test events to a local URL, signed with the CLI secret, without any public endpoint', async () => {
    const p = await server.partner();
    const sk = p.keys.test.secret_key;
    const env = { DATA_DIR: dataDir };
    const cli = spawnScript('apps/server/src/cli/gate.ts', env, [
      'listen',
      '--forward-to',
      receiver.url,
      '--api-key',
      sk,
      '--api-base',
      server.baseUrl,
      '--interval-ms',
      '200',
    ]);
    try {
      await cli.waitForOutput(/Signing secret for this CLI: (whsec_[A-Za-z0-9]{32})/);
      const secret = /Signing secret for this CLI: (whsec_[A-Za-z0-9]{32})/.exec(cli.output())![1]!;
      const triggered = await runScript(
        'apps/server/src/cli/gate.ts',
        [
          'trigger',
          'gate_session.completed',
          '--api-key',
          sk,
          '--api-base',
          server.baseUrl,
          '--return-url',
          'https://partner.example/done',
        ],
        env,
      );
      expect(triggered.code).toBe(0);
      expect(triggered.stdout).toContain('triggered gate_session.completed');
      const hits = await receiver.waitFor(2, 15_000);
      expect(hits.map((h) => h.headers['x-0bit-event-type'])).toEqual([
        'gate_session.created',
        'gate_session.completed',
      ]);
      for (const hit of hits) {
        expect(verifiedByOpenssl(String(hit.headers['gate-signature']), hit.body, secret)).toBe(true);
        expect(hit.headers['user-agent']).toBe('0bit-webhooks/1.0');
      }
      const events = await server.call('GET', '/v1/events?limit=2', { headers: bearer(sk) });
      expect(JSON.parse(hits[1]!.body)).toEqual(events.body.data[0]);
      expect(hits[1]!.body).toBe(JSON.stringify(events.body.data[0]));
      await cli.waitForOutput(/→ gate_session\.completed [0-9a-f-]{36} \[200\]/);
    } finally {
      await cli.stop('SIGTERM');
    }
  }, 60_000);

  it('refuses to listen with a live key, and says what to do without a key', async () => {
    const p = await server.partner();
    const live = await runScript(
      'apps/server/src/cli/gate.ts',
      [
        'listen',
        '--forward-to',
        receiver.url,
        '--api-key',
        p.keys.live.secret_key,
        '--api-base',
        server.baseUrl,
      ],
      { DATA_DIR: dataDir },
    );
    expect(live.code).toBe(1);
    expect(live.stderr).toContain('test mode only');
    const nokey = await runScript('apps/server/src/cli/gate.ts', ['trigger', 'gate_session.created'], {
      DATA_DIR: join(dataDir, 'none'),
      GATE_SECRET_KEY: '',
    });
    expect(nokey.code).toBe(1);
    expect(nokey.stderr).toContain('--api-key');
  });
});
