import { startReceiver } from '@0bit/testing/receiver';
import { describe, expect, it } from 'vitest';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from './support/server.ts';

// Retries 30 s apart: the delivery stays pending (automatic retries left) for the whole test.
const server = useTestServer({ webhooks: { retrySchedule: '30,30,30,30', timeoutMs: 700 } });

// Fresh eyes (#13, attacker F1): replaying a delivery that was still retrying capped it at one more attempt,
// so a partner who pressed replay during an outage lost its remaining automatic retries.
describe('replaying a delivery that is still retrying', () => {
  it('attempts it now and keeps the remaining automatic retries', async () => {
    const receiver = await startReceiver();
    try {
      receiver.respond(() => ({ status: 503 }));
      const p = await server.partner();
      const sk = p.keys.test.secret_key;
      expect(
        (
          await server.call('PUT', '/portal/webhook-endpoint', {
            headers: writeHeaders(sk),
            body: { url: receiver.url },
          })
        ).status,
      ).toBe(200);
      const created = await server.call('POST', '/v1/gate_sessions', {
        headers: writeHeaders(sk),
        body: SPEC_CREATE_BODY,
      });
      expect(created.status).toBe(201);
      const delivery = async () =>
        (await server.call('GET', '/portal/webhook-deliveries', { headers: bearer(sk) })).body.data[0];
      await expect.poll(async () => (await delivery())?.attempt_count, { timeout: 10_000 }).toBe(1);
      const pending = await delivery();
      expect(pending.status).toBe('pending');

      const replay = await server.call('POST', `/portal/webhook-deliveries/${pending.id}/replay`, {
        headers: writeHeaders(sk),
      });
      expect(replay.status).toBe(202);
      await receiver.waitFor(2);
      await expect.poll(async () => (await delivery()).attempt_count, { timeout: 10_000 }).toBe(2);
      const after = await delivery();
      expect(after.status).toBe('pending');
      expect(after.next_attempt_at).not.toBeNull();
    } finally {
      await receiver.close();
    }
  });
});
