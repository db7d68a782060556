import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  /** At most `maxResponseBytes` of the receiver's answer, for the delivery log. */
  responseBody: string;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  /** false in live mode: loopback, private, link-local and metadata addresses are refused at connect time. */
  allowPrivateAddresses: boolean;
}

// Addresses a live webhook must never reach (SSRF): checked on the address actually connected to, after
// DNS resolution, so a hostname that resolves to 127.0.0.1 or 169.254.169.254 is refused too.
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged by its IPv4 part. (Node's BlockList cannot
  // express "::ffff:0:0/96": it treats that range as all of IPv4.)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const candidate = mapped ? mapped[1]! : address;
  const family = isIP(candidate);
  if (family === 0) return true;
  return PRIVATE.check(candidate, family === 4 ? 'ipv4' : 'ipv6');
}

const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as dns.LookupAddress[];
    const blocked = list.find((a) => isPrivateAddress(a.address));
    if (blocked)
      return callback(
        new Error(`${hostname} resolves to a non-public address; live webhooks go only to public hosts`),
        '',
        0,
      );
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
};

// Keep-alive pools per origin: a busy endpoint reuses its connections instead of a TCP handshake per
// event. The live pool connects through the guarded lookup, so every new socket is checked.
const AGENTS = {
  'http:': {
    open: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    guarded: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  },
  'https:': {
    open: new https.Agent({ keepAlive: true, maxSockets: 16 }),
    guarded: new https.Agent({ keepAlive: true, maxSockets: 16 }),
  },
} as const;

/** POSTs one webhook. Never follows redirects, never waits past the timeout, never reads past the cap. */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      finish({ statusCode: null, error: 'endpoint URL is not valid', responseBody: '' });
      return;
    }
    // An IP literal never goes through DNS lookup, so the guard checks it here.
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivateAddresses && isIP(literal) !== 0 && isPrivateAddress(literal)) {
      finish({
        statusCode: null,
        error: `${target.hostname} is a non-public address; live webhooks go only to public hosts`,
        responseBody: '',
      });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent:
        AGENTS[target.protocol as 'http:' | 'https:'][options.allowPrivateAddresses ? 'open' : 'guarded'],
      ...(options.allowPrivateAddresses ? {} : { lookup: guardedLookup }),
    });
    timer = setTimeout(() => {
      request.destroy();
      finish({ statusCode: null, error: `timed out after ${options.timeoutMs} ms`, responseBody: '' });
    }, options.timeoutMs);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const code = response.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8').slice(0, options.maxResponseBytes);
        const redirect =
          code >= 300 && code < 400 ? `redirect to ${response.headers.location ?? '?'} not followed` : null;
        finish({ statusCode: code, error: redirect, responseBody: text });
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        if (size < options.maxResponseBytes) chunks.push(chunk);
        size += chunk.length;
        if (size >= options.maxResponseBytes) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.on('error', (error) => finish({ statusCode: null, error: error.message, responseBody: '' }));
    request.end(body);
  });
}
