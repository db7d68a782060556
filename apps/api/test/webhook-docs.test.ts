import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@0bit/testing/http';
import { REPO_ROOT, spawnScript } from '@0bit/testing/process';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer({ webhooks: {} });
const dir = mkdtempSync(join(tmpdir(), 'gate-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The receiver code block of docs/webhooks.md, exactly as a partner would copy it. */
function receiverExample(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs/webhooks.md'), 'utf8');
  const block = /<!-- receiver-example:start -->\s*```js\n([\s\S]*?)```\s*<!-- receiver-example:end -->/.exec(
    doc,
  );
  if (!block) throw new Error('docs/webhooks.md lost its receiver example');
  return block[1]!;
}

describe('docs/webhooks.md receiver example', () => {
  it('verifies real deliveries, dedupes, and refuses forged or stale requests', async () => {
    const file = join(dir, 'receiver.mjs');
    writeFileSync(file, receiverExample());
    const p = await server.partner();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhooks/0bit`;
    const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(p.keys.test.secret_key),
      body: { url },
    });
    const receiver = spawnScript(file, { GATE_WEBHOOK_SECRET: endpoint.body.secret, PORT: String(port) });
    try {
      await receiver.waitForOutput(/receiver listening/);
      const created = await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(p.keys.test.secret_key),
        body: SPEC_CREATE_BODY,
      });
      await server.call('POST', `/v1/test_helpers/sessions/${created.body.id}/complete`, {
        headers: bearer(p.keys.test.secret_key),
      });
      await receiver.waitForOutput(/verified gate_session\.completed [0-9a-f-]{36}/);
      expect(receiver.output()).toMatch(/verified gate_session\.created/);

      // A replay of a delivered event is recognised as a duplicate, answered 2xx. (The delivery log keeps no
      // excerpt of a loopback receiver's answer, so the receiver's own output shows it was not processed twice.)
      const deliveries = await server.call(
        'GET',
        '/portal/webhook-deliveries?event_type=gate_session.created',
        {
          headers: bearer(p.keys.test.secret_key),
        },
      );
      await server.call('POST', `/portal/webhook-deliveries/${deliveries.body.data[0].id}/replay`, {
        headers: bearer(p.keys.test.secret_key),
      });
      await expect
        .poll(async () => {
          const d = await server.call('GET', `/portal/webhook-deliveries/${deliveries.body.data[0].id}`, {
            headers: bearer(p.keys.test.secret_key),
          });
          const last = d.body.attempts.at(-1);
          return last?.trigger === 'replay' ? last.status_code : undefined;
        })
        .toBe(200);
      const createdId = deliveries.body.data[0].event_id;
      expect(receiver.output().split(`verified gate_session.created ${createdId}`)).toHaveLength(2);

      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        id: crypto.randomUUID(),
        type: 'gate_session.completed',
        created_at: now,
        data: {},
      });
      const forged = await fetch(url, {
        method: 'POST',
        headers: { 'gate-signature': `t=${now},v1=${'0'.repeat(64)}` },
        body,
      });
      expect(forged.status).toBe(400);
      const unsigned = await fetch(url, { method: 'POST', body });
      expect(unsigned.status).toBe(400);
      const { createHmac } = await import('node:crypto');
      const stale = now - 301;
      const staleSig = createHmac('sha256', endpoint.body.secret).update(`${stale}.${body}`).digest('hex');
      const old = await fetch(url, {
        method: 'POST',
        headers: { 'gate-signature': `t=${stale},v1=${staleSig}` },
        body,
      });
      expect(old.status).toBe(400);
      const freshSig = createHmac('sha256', endpoint.body.secret).update(`${now}.${body}`).digest('hex');
      const good = await fetch(url, {
        method: 'POST',
        headers: { 'gate-signature': `t=${now},v1=${freshSig}` },
        body,
      });
      expect(good.status).toBe(200);
    } finally {
      await receiver.stop();
    }
  });
});
