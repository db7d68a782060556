import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress, postWebhook } from '../../src/webhooks/sender.ts';

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('x'.repeat(5000)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise((r) => server.close(r)));

const options = { timeoutMs: 2000, maxResponseBytes: 1024, allowPrivateAddresses: true };

describe('postWebhook', () => {
  it('delivers, and keeps only the first 1 KB of the answer', async () => {
    const result = await postWebhook(`http://127.0.0.1:${port}/`, '{}', {}, options);
    expect(result.statusCode).toBe(200);
    expect(result.responseBody).toHaveLength(1024);
  });

  it('refuses a host resolving to a private address at connect time when private addresses are not allowed', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const result = await postWebhook(
        `http://${host}:${port}/`,
        '{}',
        {},
        { ...options, allowPrivateAddresses: false },
      );
      expect(result.statusCode).toBeNull();
      expect(result.error).toMatch(/non-public address/);
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
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])
      expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('postWebhook input it cannot use', () => {
  it('answers an invalid URL or a private IP literal with an error, never a crash', async () => {
    expect((await postWebhook('not a url', '{}', {}, options)).error).toContain('not valid');
    const literal = await postWebhook(
      'http://[::1]:9/',
      '{}',
      {},
      { ...options, allowPrivateAddresses: false },
    );
    expect(literal.error).toContain('non-public');
    const metadata = await postWebhook(
      'http://169.254.169.254/latest',
      '{}',
      {},
      { ...options, allowPrivateAddresses: false },
    );
    expect(metadata.error).toContain('non-public');
  });
});
