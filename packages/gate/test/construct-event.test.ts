import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GateClient, SignatureVerificationError } from '../src/node/index.ts';

const gate = new GateClient({ apiKey: 'sk_test_unused' });
const body = JSON.stringify({
  id: 'c0f56f5d-39a5-49d1-ae3e-9d3d5929c488',
  type: 'gate_session.created',
  created_at: 1,
  data: {},
});
const sign = (secret: string, t: number, payload = body) =>
  createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex');
const OLD = `whsec_${'a'.repeat(32)}`;
const NEW = `whsec_${'b'.repeat(32)}`;

describe('webhooks.constructEvent', () => {
  it('accepts a header carrying several v1= entries (rotation overlap) with either secret', () => {
    const t = Math.floor(Date.now() / 1000);
    const header = `t=${t},v1=${sign(NEW, t)},v1=${sign(OLD, t)}`;
    expect(gate.webhooks.constructEvent(body, header, OLD).id).toBe('c0f56f5d-39a5-49d1-ae3e-9d3d5929c488');
    expect(gate.webhooks.constructEvent(Buffer.from(body), header, NEW).type).toBe('gate_session.created');
  });

  it.each([
    ['a changed body', (t: number) => `t=${t},v1=${sign(OLD, t)}`, `${body} `, /No signature matches/],
    [
      'a future timestamp past the tolerance',
      (t: number) => `t=${t + 400},v1=${sign(OLD, t + 400)}`,
      body,
      /tolerance/,
    ],
    ['a header without v1', (t: number) => `t=${t}`, body, /t=<unix>,v1=<hex>/],
    ['a garbled header', () => 'nonsense', body, /t=<unix>,v1=<hex>/],
  ])('rejects %s with a SignatureVerificationError saying why', (_name, header, payload, reason) => {
    const t = Math.floor(Date.now() / 1000);
    let caught: unknown;
    try {
      gate.webhooks.constructEvent(payload, header(t), OLD);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SignatureVerificationError);
    expect(String((caught as Error).message)).toMatch(reason);
  });

  it('refuses a secret that is not a whsec_ secret and a missing header', () => {
    expect(() => gate.webhooks.constructEvent(body, 't=1,v1=00', 'sk_test_x')).toThrow(/whsec_/);
    expect(() => gate.webhooks.constructEvent(body, undefined, OLD)).toThrow(/Missing Gate-Signature/);
  });
});
