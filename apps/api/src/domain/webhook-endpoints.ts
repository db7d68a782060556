import dns from 'node:dns/promises';
import { type Db, inTransaction } from '../store/db.ts';
import type { SecretBox } from '../store/secret-box.ts';
import {
  type EndpointRow,
  findEndpoint,
  insertSecret,
  notifyTargetChanged,
  retireSigningSecrets,
  type SecretRow,
  upsertEndpoint,
  validSecrets,
} from '../store/webhooks.ts';
import { isPrivateAddress } from '../webhooks/sender.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { newObjectId, randomAlphanumeric } from './ids.ts';
import type { Mode, Scope } from './keys.ts';
import { isLocalHost } from './partners.ts';
import { toIso } from './time.ts';

export interface WebhookEndpoint {
  object: 'webhook_endpoint';
  url: string;
  mode: Mode;
  created_at: string;
  updated_at: string;
  /** Secrets that sign right now: the current one, and a rotated-out one during its overlap window. */
  secrets: Array<{ display_prefix: string; created_at: string; expires_at: string | null }>;
}

/** Default overlap: the previous secret keeps signing for 24 h after a rotation (DESIGN.md). */
export const DEFAULT_OVERLAP_SECONDS = 24 * 3600;

export type Resolver = (hostname: string) => Promise<string[]>;
const systemResolver: Resolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true })).map((a) => a.address);

const generateWebhookSecret = () => `whsec_${randomAlphanumeric(32)}`;

/**
 * Live endpoints: https, and a host that resolves only to public addresses (the sender checks again at
 * connect time, so DNS changed later does not help an attacker). Test endpoints: https anywhere, or http
 * on localhost so a partner can receive sandbox events on their machine.
 */
export async function checkEndpointUrl(
  mode: Mode,
  value: string,
  resolve: Resolver = systemResolver,
): Promise<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError([
      'url must be an absolute URL such as "https://partner.example/webhooks/0bit"',
    ]);
  }
  if (url.username || url.password) throw new ValidationError(['url must not contain credentials']);
  if (url.hash) throw new ValidationError(['url must not contain a #fragment']);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError(['url must use https']);
  if (mode === 'live') {
    if (url.protocol !== 'https:') throw new ValidationError(['live webhook endpoints must use https']);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch {
      throw new ValidationError([`url host ${url.hostname} does not resolve; live endpoints must be public`]);
    }
    if (addresses.length === 0 || addresses.some(isPrivateAddress))
      throw new ValidationError([
        `url host ${url.hostname} resolves to a loopback, private, link-local or metadata address; live endpoints must be public`,
      ]);
  } else if (url.protocol === 'http:' && !isLocalHost(url.hostname)) {
    throw new ValidationError(['test endpoints must use https, or http on localhost / 127.0.0.1 / [::1]']);
  }
  return url.toString();
}

function toEndpoint(row: EndpointRow, secrets: SecretRow[]): WebhookEndpoint {
  return {
    object: 'webhook_endpoint',
    url: row.url,
    mode: row.mode,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    secrets: secrets.map((s) => ({
      display_prefix: s.display_prefix,
      created_at: toIso(s.created_at),
      expires_at: toIso(s.expires_at),
    })),
  };
}

export async function getEndpoint(db: Db, scope: Scope): Promise<WebhookEndpoint> {
  const row = await findEndpoint(db, scope);
  if (!row)
    throw new NotFoundError(
      `No webhook endpoint for ${scope.mode} mode yet; set one with PUT /portal/webhook-endpoint {"url": …}`,
    );
  return toEndpoint(row, await validSecrets(db, scope));
}

async function addSecret(db: Db, box: SecretBox, scope: Scope): Promise<string> {
  const secret = generateWebhookSecret();
  await insertSecret(db, {
    id: newObjectId(),
    scope,
    sealed: box.seal(secret),
    displayPrefix: secret.slice(0, 10),
  });
  return secret;
}

/** Sets the mode's endpoint. The first time, also creates the signing secret and returns it (only then). */
export async function setEndpoint(
  db: Db,
  box: SecretBox,
  scope: Scope,
  url: string,
): Promise<WebhookEndpoint & { secret?: string }> {
  return inTransaction(db, async (trx) => {
    const row = await upsertEndpoint(trx, scope, url);
    const existing = await validSecrets(trx, scope);
    const secret = existing.length === 0 ? await addSecret(trx, box, scope) : undefined;
    await notifyTargetChanged(trx, scope);
    const endpoint = toEndpoint(row, await validSecrets(trx, scope));
    return secret ? { ...endpoint, secret } : endpoint;
  });
}

/**
 * Rolls the signing secret: the new one is returned once; the previous keeps signing (a second `v1=` in
 * Gate-Signature) for `expirePreviousIn` seconds so receivers can switch without dropping events.
 */
export async function rotateSecret(
  db: Db,
  box: SecretBox,
  scope: Scope,
  expirePreviousIn: number = DEFAULT_OVERLAP_SECONDS,
): Promise<{
  object: 'webhook_secret';
  secret: string;
  display_prefix: string;
  previous_expires_at: string | null;
}> {
  return inTransaction(db, async (trx) => {
    if (!(await findEndpoint(trx, scope)))
      throw new ConflictError(
        'Set a webhook endpoint first (PUT /portal/webhook-endpoint); it creates the first secret',
      );
    const previousExpiresAt = await retireSigningSecrets(trx, scope, expirePreviousIn);
    const secret = await addSecret(trx, box, scope);
    await notifyTargetChanged(trx, scope);
    return {
      object: 'webhook_secret',
      secret,
      display_prefix: secret.slice(0, 10),
      previous_expires_at: toIso(previousExpiresAt),
    };
  });
}
