import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

// A long timeout and few slots: without a per-partner cap, one hanging endpoint would hold every slot.
const server = useTestServer({ webhooks: { timeoutMs: 4000, concurrency: 8 } });
let hanging: Receiver;
let healthy: Receiver;
beforeAll(async () => {
  hanging = await startReceiver();
  hanging.respond(() => ({ status: 200, delayMs: 60_000 }));
  healthy = await startReceiver();
});
afterAll(async () => {
  await hanging?.close();
  await healthy?.close();
});

async function partnerAt(url: string) {
  const p = await server.partner();
  await server.call('PUT', '/portal/webhook-endpoint', {
    headers: bearer(p.keys.test.secret_key),
    body: { url },
  });
  return p;
}

describe('fairness between partners', () => {
  it('delivers to a healthy endpoint at once while another partner’s endpoint hangs with a backlog', async () => {
    const stuck = await partnerAt(hanging.url);
    for (let i = 0; i < 20; i++)
      await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(stuck.keys.test.secret_key),
        body: SPEC_CREATE_BODY,
      });
    await hanging.waitFor(6);
    const ok = await partnerAt(healthy.url);
    const started = Date.now();
    await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(ok.keys.test.secret_key),
      body: SPEC_CREATE_BODY,
    });
    const [hit] = await healthy.waitFor(1, 3000);
    expect(hit!.at - started).toBeLessThan(1500);
    // The hanging partner holds at most 8 - 8/4 = 6 slots; the reserve stays free for everyone else.
    expect(hanging.received.length).toBeLessThanOrEqual(6);
  });
});
