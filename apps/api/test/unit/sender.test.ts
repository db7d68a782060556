import http from 'node:http';
import { classifyAddress } from '@0bit/webhooks/egress';
import { postWebhook } from '@0bit/webhooks/sender';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      // 5 KB at once, then the answer never ends: only the sender's cap can end the attempt early.
      res.writeHead(200).write('x'.repeat(5000));
      if (req.url !== '/endless') res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

/** Local development: test mode may reach this loopback receiver. */
const options = {
  timeoutMs: 2000,
  maxResponseBytes: 1024,
  mode: 'test' as const,
  policy: { allowLoopback: true },
};
const strict = { ...options, policy: { allowLoopback: false } };

describe('postWebhook', () => {
  it('delivers, and keeps no excerpt of a loopback answer', async () => {
    const result = await postWebhook(`http://127.0.0.1:${port}/`, '{}', {}, options);
    expect(result.statusCode).toBe(200);
    expect(result.responseBody).toBeNull();
  });

  it('stops reading at the cap instead of waiting for the rest of the answer', async () => {
    const result = await postWebhook(`http://127.0.0.1:${port}/endless`, '{}', {}, options);
    expect(result.statusCode).toBe(200);
    expect(result.error).toBeNull();
    expect(result.durationMs).toBeLessThan(options.timeoutMs);
  });

  it('refuses a host resolving to loopback at send time when loopback is not allowed', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const result = await postWebhook(`http://${host}:${port}/`, '{}', {}, strict);
      expect(result.statusCode).toBeNull();
      expect(result.error).toMatch(/loopback/);
    }
  });

  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ])
      expect(classifyAddress(a).kind, a).not.toBe('public');
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])
      expect(classifyAddress(a).kind, a).toBe('public');
  });
});

describe('postWebhook input it cannot use', () => {
  it('answers an invalid URL or a private IP literal with an error, never a crash', async () => {
    expect((await postWebhook('not a url', '{}', {}, options)).error).toContain('absolute URL');
    const literal = await postWebhook('http://[::1]:9/', '{}', {}, strict);
    expect(literal.error).toContain('loopback');
    const metadata = await postWebhook('http://169.254.169.254/latest', '{}', {}, options);
    expect(metadata.error).toContain('link-local');
    const nat64 = await postWebhook('http://[64:ff9b::7f00:1]:9/', '{}', {}, options);
    expect(nat64.error).toContain('embeds 127.0.0.1');
    const live = await postWebhook('https://169.254.169.254/latest', '{}', {}, { ...options, mode: 'live' });
    expect(live.error).toContain('link-local');
  });
});
