import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Mode } from '@0bit/core/scope';
import { loadConfig } from '@0bit/server/config';
import { checkDestination, classifyAddress, type Resolver } from '@0bit/webhooks/egress';
import { postWebhook } from '@0bit/webhooks/sender';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A resolver the test controls (the hosts file is never edited); unknown names do not resolve. */
function fakeResolver(table: Record<string, string[]>, calls: string[] = []): Resolver {
  return async (hostname) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const DEV = { allowLoopback: true, resolve: fakeResolver({}) };
const STRICT = { allowLoopback: false, resolve: fakeResolver({}) };

describe('classifyAddress', () => {
  it('lets only global unicast through', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])
      expect(classifyAddress(a).kind, a).toBe('public');
  });

  it('calls loopback loopback, in every spelling a resolver can return', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(classifyAddress(a).kind, a).toBe('loopback');
  });

  it.each([
    ['0.0.0.0', /unspecified/],
    ['10.1.2.3', /private/],
    ['172.16.5.4', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /shared|CGNAT/],
    ['169.254.169.254', /link-local/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['192.0.2.10', /reserved|documentation/],
    ['198.51.100.7', /reserved|documentation/],
    ['203.0.113.9', /reserved|documentation/],
    ['198.18.0.1', /reserved|documentation|benchmark/],
    ['240.0.0.1', /reserved/],
    ['::', /unspecified/],
    ['fd00::1', /unique-local/],
    ['fc00::1', /unique-local/],
    ['fe80::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /reserved|documentation/],
    ['::ffff:10.0.0.1', /private/],
    ['::ffff:169.254.169.254', /link-local/],
    ['::127.0.0.1', /embeds 127\.0\.0\.1/],
    ['::a9fe:a9fe', /embeds 169\.254\.169\.254/],
    ['64:ff9b::a9fe:a9fe', /embeds 169\.254\.169\.254/],
    ['64:ff9b::808:808', /embeds 8\.8\.8\.8/],
    ['2002:a9fe:a9fe::', /embeds 169\.254\.169\.254/],
    ['2002:7f00:1::1', /embeds 127\.0\.0\.1/],
    // Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted (0x80ff:fffe).
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', /embeds/],
  ])('refuses %s', (address, reason) => {
    const verdict = classifyAddress(address);
    expect(verdict.kind).toBe('blocked');
    expect(verdict.description).toMatch(reason);
  });

  it('refuses what is not an address at all', () => {
    expect(classifyAddress('not-an-ip').kind).toBe('blocked');
  });
});

describe('checkDestination', () => {
  it.each([
    'https://[::127.0.0.1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://[64:ff9b::a9fe:a9fe]/hook',
    'https://[2002:a9fe:a9fe::]/hook',
    'https://[fec0::1]/hook',
    'https://[ff02::1]/hook',
    'https://[2001:db8::1]/hook',
    'https://192.0.2.1/hook',
    'https://0.0.0.0/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://2130706433/hook',
    'https://0x7f.1/hook',
    'https://017700000001/hook',
    'https://0xa9fea9fe/hook',
    'https://[::1]/hook',
  ])('refuses %s in live mode, and in test mode without local development', async (url) => {
    for (const [mode, policy] of [
      ['live', DEV],
      ['live', STRICT],
      ['test', STRICT],
    ] as const) {
      const verdict = await checkDestination(url, mode, policy);
      expect(verdict.ok, `${mode} ${url}`).toBe(false);
      if (!verdict.ok) expect(verdict.reason).toMatch(/^url /);
    }
  });

  it('refuses private and metadata addresses in test mode even with local development on', async () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.5/hook',
      'https://[fd00::1]/hook',
      'https://[::ffff:10.0.0.5]/hook',
      'https://[64:ff9b::a9fe:a9fe]/hook',
      'https://0.0.0.0/hook',
      'http://0.0.0.0:8080/hook',
    ]) {
      const verdict = await checkDestination(url, 'test', DEV);
      expect(verdict.ok, url).toBe(false);
    }
  });

  it('treats decimal, octal and hex spellings of 127.0.0.1 as loopback: allowed only in test mode in local development', async () => {
    for (const url of ['http://2130706433:8080/', 'http://0x7f.1:8080/', 'http://0177.0.0.1:8080/']) {
      const dev = await checkDestination(url, 'test', DEV);
      expect(dev.ok, url).toBe(true);
      if (dev.ok) expect(dev.destination).toMatchObject({ address: '127.0.0.1', loopback: true });
      expect((await checkDestination(url, 'test', STRICT)).ok, url).toBe(false);
    }
  });

  it('refuses a host name that resolves to a private address, or to any non-public address among public ones', async () => {
    const resolve = fakeResolver({
      'internal.partner.example': ['10.0.0.7'],
      'metadata.partner.example': ['169.254.169.254'],
      'mixed.partner.example': ['93.184.216.34', '192.168.0.3'],
      'v6.partner.example': ['64:ff9b::a9fe:a9fe'],
      'public.partner.example': ['93.184.216.34'],
    });
    for (const host of ['internal', 'metadata', 'mixed', 'v6']) {
      for (const mode of ['test', 'live'] as const) {
        const verdict = await checkDestination(`https://${host}.partner.example/hook`, mode, {
          allowLoopback: true,
          resolve,
        });
        expect(verdict.ok, `${mode} ${host}`).toBe(false);
        if (!verdict.ok) expect(verdict.reason).toContain(`${host}.partner.example`);
      }
    }
    const ok = await checkDestination('https://public.partner.example/hook', 'live', {
      allowLoopback: false,
      resolve,
    });
    expect(ok).toMatchObject({ ok: true, destination: { address: '93.184.216.34', loopback: false } });
  });

  it('refuses localhost. with a trailing dot and *.localhost like localhost itself', async () => {
    const resolve = fakeResolver({ 'localhost.': ['127.0.0.1'], 'app.localhost': ['127.0.0.1'] });
    for (const url of ['https://localhost./hook', 'https://app.localhost/hook']) {
      expect((await checkDestination(url, 'live', { allowLoopback: true, resolve })).ok, url).toBe(false);
      expect((await checkDestination(url, 'test', { allowLoopback: false, resolve })).ok, url).toBe(false);
      expect((await checkDestination(url, 'test', { allowLoopback: true, resolve })).ok, url).toBe(true);
    }
    // The system resolver too: whatever localhost. resolves to, it is not a public address.
    expect((await checkDestination('https://localhost./hook', 'live', { allowLoopback: false })).ok).toBe(
      false,
    );
  });

  it('keeps the format rules: https in live, http only to loopback, no credentials or fragment', async () => {
    const resolve = fakeResolver({ 'public.partner.example': ['93.184.216.34'] });
    const policy = { allowLoopback: true, resolve };
    const reason = async (url: string, mode: Mode) => {
      const verdict = await checkDestination(url, mode, policy);
      return verdict.ok ? 'ok' : verdict.reason;
    };
    expect(await reason('http://public.partner.example/hook', 'live')).toContain('must use https');
    expect(await reason('http://public.partner.example/hook', 'test')).toContain('http on localhost');
    expect(await reason('ftp://public.partner.example/hook', 'test')).toContain('https');
    expect(await reason('https://u:p@public.partner.example/hook', 'test')).toContain('credentials');
    expect(await reason('https://public.partner.example/hook#x', 'test')).toContain('fragment');
    expect(await reason('not a url', 'test')).toContain('absolute URL');
    expect(await reason('https://nowhere.partner.example/hook', 'test')).toContain('does not resolve');
    expect(await reason('https://public.partner.example/hook', 'test')).toBe('ok');
  });
});

describe('postWebhook through the egress policy', () => {
  let server: http.Server;
  let port = 0;
  const seen: Array<{ host: string | undefined }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ host: req.headers.host });
      req.resume();
      req.on('end', () => res.writeHead(200).end(`internal secret ${'x'.repeat(5000)}`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const send = (url: string, mode: Mode, policy: Parameters<typeof checkDestination>[2]) =>
    postWebhook(url, '{}', {}, { timeoutMs: 2000, maxResponseBytes: 1024, mode, policy });

  it('refuses loopback at send time when local development is off: no connection is made', async () => {
    const before = seen.length;
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '2130706433']) {
      const result = await send(`http://${host}:${port}/`, 'test', { allowLoopback: false });
      expect(result.statusCode, host).toBeNull();
      expect(result.error, host).toMatch(/loopback/);
      expect(result.responseBody).toBeNull();
    }
    expect(seen.length).toBe(before);
  });

  it('delivers to loopback in local development but keeps no excerpt of the answer', async () => {
    const result = await send(`http://127.0.0.1:${port}/`, 'test', { allowLoopback: true });
    expect(result.statusCode).toBe(200);
    expect(result.error).toBeNull();
    expect(result.responseBody).toBeNull();
  });

  it('resolves once and connects to the address it checked (a second lookup cannot swap it)', async () => {
    const calls: string[] = [];
    let answers = 0;
    // First answer loopback (allowed in dev), then a "rebound" private address that must never be used.
    const resolve: Resolver = async (hostname) => {
      calls.push(hostname);
      answers += 1;
      return [{ address: answers === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
    };
    const before = seen.length;
    const result = await send(`http://localhost:${port}/hook`, 'test', { allowLoopback: true, resolve });
    expect(result.statusCode).toBe(200);
    expect(calls).toEqual(['localhost']);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)!.host).toBe(`localhost:${port}`);
  });

  it('never follows a redirect: a 3xx is a failed attempt', async () => {
    const redirecting = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end());
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    const p = (redirecting.address() as { port: number }).port;
    try {
      const result = await send(`http://127.0.0.1:${p}/`, 'test', { allowLoopback: true });
      expect(result.statusCode).toBe(302);
      expect(result.error).toMatch(/redirect/);
    } finally {
      await new Promise((r) => redirecting.close(r));
    }
  });
});

describe('WEBHOOK_ALLOW_LOOPBACK', () => {
  const production = {
    NODE_ENV: 'production',
    SECRETS_KEY: randomBytes(32).toString('hex'),
    ADMIN_TOKEN: `adm_${randomBytes(20).toString('hex')}`,
    EMBED_TOKEN_SECRET: randomBytes(32).toString('hex'),
  };
  it('is on by default in development and off by default in production', () => {
    expect(loadConfig({}).webhooks.allowLoopback).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_LOOPBACK: 'false' }).webhooks.allowLoopback).toBe(false);
    expect(loadConfig(production).webhooks.allowLoopback).toBe(false);
  });
  it('is refused at start-up in production', () => {
    expect(() => loadConfig({ ...production, WEBHOOK_ALLOW_LOOPBACK: 'true' })).toThrow(
      /WEBHOOK_ALLOW_LOOPBACK/,
    );
  });
});
