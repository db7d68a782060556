import dns from 'node:dns/promises';
import { isIP } from 'node:net';
import { ValidationError } from '@0bit/core/errors';
import type { Mode } from '@0bit/core/scope';
import ipaddr from 'ipaddr.js';

/**
 * The egress policy (DESIGN.md, "Egress policy"): the one place that decides whether a partner URL may be
 * called — webhook endpoints of both modes and both products, at save time and again at send time.
 * Only global unicast addresses; loopback only in test mode when the deployment is local development.
 */

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

export interface EgressPolicy {
  /**
   * Test mode may reach loopback (`npm start` + `gate listen` on a laptop). WEBHOOK_ALLOW_LOOPBACK; refused
   * in production at start-up. Live never reaches loopback.
   */
  allowLoopback: boolean;
  /** How host names become addresses; dns.lookup (hosts file, then DNS) unless a test injects one. */
  resolve?: Resolver;
}

/** What a deployment gets when nobody says otherwise: no loopback. */
export const STRICT_EGRESS: EgressPolicy = { allowLoopback: false };

export interface AddressClass {
  kind: 'public' | 'loopback' | 'blocked';
  /** "a link-local address (169.254.0.0/16, cloud metadata)", for messages partners read. */
  description: string;
}

/** A checked destination: the address the sender connects to, and nothing else. */
export interface Destination {
  url: URL;
  hostname: string;
  address: string;
  family: 4 | 6;
  loopback: boolean;
}

export type EgressVerdict = { ok: true; destination: Destination } | { ok: false; reason: string };

const systemResolver: Resolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'the unspecified address (0.0.0.0/8, ::)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (169.254.0.0/16, fe80::/10; cloud metadata lives here)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a shared CGNAT address (100.64.0.0/10)',
  private: 'a private address (10/8, 172.16/12, 192.168/16)',
  reserved: 'a reserved or documentation address',
  benchmarking: 'a benchmarking address',
  uniqueLocal: 'a unique-local address (fc00::/7)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  discard: 'a discard-only address (100::/64)',
};

const describeRange = (range: string) => RANGE_NAMES[range] ?? `a special-purpose address (${range})`;

const v4FromParts = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 form carries, when it is one of the forms that reach an IPv4 host: IPv4-compatible
 * (::a.b.c.d), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), SIIT (::ffff:0:a.b.c.d), 6to4 (2002::/16) and Teredo.
 */
function embeddedIPv4(address: ipaddr.IPv6, range: string): { v4: string; form: string } | null {
  const p = address.parts as [number, number, number, number, number, number, number, number];
  if (range === 'rfc6052') return { v4: v4FromParts(p[6], p[7]), form: 'NAT64' };
  if (range === 'rfc6145') return { v4: v4FromParts(p[6], p[7]), form: 'IPv4-translated' };
  if (range === '6to4') return { v4: v4FromParts(p[1], p[2]), form: '6to4' };
  // Teredo keeps the client's IPv4 inverted in the last 32 bits.
  if (range === 'teredo') return { v4: v4FromParts(p[6] ^ 0xffff, p[7] ^ 0xffff), form: 'Teredo' };
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7] > 1))
    return { v4: v4FromParts(p[6], p[7]), form: 'IPv4-compatible' };
  return null;
}

/**
 * IPv6 in the WHATWG parser's canonical form: ipaddr.js reads a dotted tail as IPv4-mapped whatever precedes
 * it (it parses ::127.0.0.1 as ::ffff:127.0.0.1), so the dotted tail becomes hex first.
 */
function canonical(text: string): string {
  if (isIP(text) !== 6) return text;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text;
  }
}

/** Classifies one IP address with ipaddr.js: only its "unicast" range (global unicast) is public. */
export function classifyAddress(text: string): AddressClass {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(canonical(text));
  } catch {
    return { kind: 'blocked', description: 'not an IP address' };
  }
  if (parsed.kind() === 'ipv4') {
    const range = (parsed as ipaddr.IPv4).range();
    if (range === 'unicast') return { kind: 'public', description: 'a public address' };
    if (range === 'loopback') return { kind: 'loopback', description: describeRange(range) };
    return { kind: 'blocked', description: describeRange(range) };
  }
  const v6 = parsed as ipaddr.IPv6;
  const range: string = v6.range();
  // ::ffff:a.b.c.d is how a dual-stack socket spells an IPv4 peer: it is that IPv4 address.
  if (range === 'ipv4Mapped') return classifyAddress(v6.toIPv4Address().toString());
  if (range === 'loopback') return { kind: 'loopback', description: describeRange(range) };
  const embedded = embeddedIPv4(v6, range);
  if (embedded) {
    // Translation forms are refused whatever they carry: the path to the IPv4 host is not ours to judge.
    const inner = classifyAddress(embedded.v4);
    const what = inner.kind === 'public' ? 'an IPv4 host' : inner.description;
    return {
      kind: 'blocked',
      description: `a ${embedded.form} IPv6 address that embeds ${embedded.v4} (${what})`,
    };
  }
  if (range === 'unicast') return { kind: 'public', description: 'a public address' };
  return { kind: 'blocked', description: describeRange(range) };
}

const REFUSED_SUFFIX =
  'webhook endpoints must be public: loopback, private, link-local, metadata and reserved addresses are refused';
const LOOPBACK_SUFFIX =
  'loopback is reachable only by test-mode webhooks of a local development deployment (WEBHOOK_ALLOW_LOOPBACK)';
const LOCAL_HOSTS = new Set(['localhost', 'localhost.']);

const refuse = (reason: string): EgressVerdict => ({ ok: false, reason });

/**
 * Parses the URL, resolves its host once and classifies every address. Save time (→ 422) and send time
 * (→ a failed attempt, no connection) both call this; the sender then connects to `destination.address`.
 */
export async function checkDestination(
  raw: string,
  mode: Mode,
  policy: EgressPolicy,
): Promise<EgressVerdict> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('url must be an absolute URL such as "https://partner.example/webhooks/0bit"');
  }
  if (url.username || url.password) return refuse('url must not contain credentials');
  if (url.hash) return refuse('url must not contain a #fragment');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('url must use https');
  if (mode === 'live' && url.protocol !== 'https:')
    return refuse('url must use https: live webhook endpoints must use https');
  // The WHATWG parser already turned 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1.
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname) !== 0;
  // http is for a partner's own machine: a loopback IP literal (judged below) or localhost.
  if (mode === 'test' && url.protocol === 'http:' && !literal && !LOCAL_HOSTS.has(url.hostname))
    return refuse(
      'url must use https: test endpoints must use https, or http on localhost / 127.0.0.1 / [::1]',
    );

  let addresses: Array<{ address: string; family: 4 | 6 }>;
  if (literal) {
    addresses = [{ address: hostname, family: isIP(hostname) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(hostname);
    } catch {
      return refuse(`url host ${url.hostname} does not resolve; ${REFUSED_SUFFIX}`);
    }
    if (addresses.length === 0) return refuse(`url host ${url.hostname} does not resolve; ${REFUSED_SUFFIX}`);
  }

  let loopback = false;
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    const which = address === hostname ? url.hostname : `${url.hostname} (${address})`;
    if (verdict.kind === 'blocked')
      return refuse(`url host ${which} is ${verdict.description}; ${REFUSED_SUFFIX}`);
    if (verdict.kind === 'loopback') {
      if (mode === 'live' || !policy.allowLoopback)
        return refuse(`url host ${which} is ${verdict.description}; ${REFUSED_SUFFIX}; ${LOOPBACK_SUFFIX}`);
      loopback = true;
    }
  }
  // http is only for a partner's own machine; a name like localhost that resolved elsewhere is not that.
  if (url.protocol === 'http:' && !loopback)
    return refuse(
      'url must use https: test endpoints must use https, or http on localhost / 127.0.0.1 / [::1]',
    );
  const first = addresses[0]!;
  return {
    ok: true,
    destination: { url, hostname, address: first.address, family: first.family, loopback },
  };
}

/**
 * Save-time half of the egress policy (checkDestination above): the same check the sender makes before every
 * attempt, so a URL the worker would refuse is refused here with the reason (422 naming `url`).
 */
export async function checkEndpointUrl(mode: Mode, value: string, policy: EgressPolicy): Promise<string> {
  const verdict = await checkDestination(value, mode, policy);
  if (!verdict.ok) throw new ValidationError([verdict.reason]);
  return verdict.destination.url.toString();
}
