import { AuthenticationError, PermissionError } from '@0bit/core/errors';
import type { Mode, Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import type { FastifyRequest } from 'fastify';
import type { HostModes } from '../config.ts';
import {
  findKeyByHash,
  type KeyCache,
  type KeyKind,
  looksLikeSecretKey,
  parseApiKey,
  recordKeyUse,
} from '../domain/keys.ts';

export interface AuthContext {
  keyId: string;
  kind: KeyKind;
  scope: Scope;
  partner: {
    id: string;
    name: string;
    allowed_domains: string[];
    kyc_trusted: boolean;
    monthly_sessions: number | null;
    customer_daily_limits: Record<string, string> | null;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const EXAMPLE = { secret: 'Authorization: Bearer sk_test_…', publishable: 'Authorization: Bearer pk_test_…' };
const HEADER = { secret: 'x-secret-key', publishable: 'x-publishable-key' } as const;

/** Bearer first (canonical), then the documented equivalent header for the key kind. */
function credentialFromHeaders(request: FastifyRequest, kind: KeyKind): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AuthenticationError(`Malformed Authorization header; send "${EXAMPLE[kind]}"`);
    return match[1];
  }
  const header =
    request.headers[HEADER[kind]] ?? request.headers[HEADER[kind === 'secret' ? 'publishable' : 'secret']];
  return Array.isArray(header) ? header[0] : header;
}

/**
 * Runs first on every route: a secret key in a URL is refused outright, whatever the route, because URLs
 * end up in logs, proxies and browser history. The message never repeats the key.
 */
export async function refuseSecretKeyInUrl(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined;
  const leaked =
    SECRET_KEY_IN_TEXT.test(decodedUrl(request.url)) ||
    Object.values(query ?? {}).some((v) =>
      (Array.isArray(v) ? v : [v]).some((x) => looksLikeSecretKey(String(x))),
    );
  if (leaked)
    throw new AuthenticationError(
      'Secret keys are never accepted in a URL. Send it in the Authorization header from your server, and roll this key: URLs end up in logs.',
    );
}

/** A whole secret key anywhere in the URL: a path segment, inside a query value ("Bearer sk_…"), encoded. */
const SECRET_KEY_IN_TEXT = /sk_(?:test|live)_[A-Za-z0-9]{32}/;

function decodedUrl(url: string): string {
  try {
    return decodeURIComponent(url.replaceAll('+', ' '));
  } catch {
    return url;
  }
}

export function hostServesMode(hostModes: HostModes, hostname: string, mode: Mode): boolean {
  const modes = hostModes.get(hostname.toLowerCase()) ?? hostModes.get('*');
  return modes?.has(mode) ?? false;
}

export interface KeyGuardDeps {
  db: Db;
  hostModes: HostModes;
  cache?: KeyCache | undefined;
}

const TOUCH_EVERY_MS = 60_000;

/**
 * Builds the guard for routes that need a key of `kind`. Order of checks: missing/malformed/unknown → 401; wrong kind, revoked, or a mode this host does not
 * serve → 403. `last_used_at` is written at most once a minute per key per process, off the request path.
 */
export function keyGuard(
  deps: KeyGuardDeps,
  kind: KeyKind,
  options: { credential?: (r: FastifyRequest) => string | undefined } = {},
) {
  const lastTouched = new Map<string, number>();
  return async (request: FastifyRequest): Promise<void> => {
    const raw = options.credential?.(request) ?? credentialFromHeaders(request, kind);
    if (!raw) throw new AuthenticationError(`Missing API key; send "${EXAMPLE[kind]}"`);
    const parsed = parseApiKey(raw);
    if (!parsed)
      throw new AuthenticationError(
        `Malformed API key; expected ${kind === 'secret' ? 'sk' : 'pk'}_test_ or ${kind === 'secret' ? 'sk' : 'pk'}_live_ followed by 32 letters and digits`,
      );
    if (parsed.kind === 'secret' && kind === 'publishable')
      throw new PermissionError(
        'Secret keys must never be used in a browser or sent to this endpoint. Use your publishable key (pk_…) here and keep secret keys server-side; roll the exposed key.',
        'secret_key_not_allowed',
      );
    const found = await findKeyByHash(deps.db, parsed.hash, deps.cache);
    if (!found)
      throw new AuthenticationError(
        'Invalid API key; check that you copied the whole key and that it was not deleted',
      );
    if (found.kind !== kind)
      throw new PermissionError(
        'Publishable keys (pk_…) can only call POST /v1/embed/bootstrap; call this endpoint from your server with your secret key (sk_…)',
        'publishable_key_not_allowed',
      );
    if (found.revoked)
      throw new PermissionError(
        'This API key has been revoked; use an active key from Partner Hub',
        'api_key_revoked',
      );
    if (!hostServesMode(deps.hostModes, request.hostname, found.mode))
      throw new PermissionError(
        `This host does not serve ${found.mode} mode; send ${found.mode} keys to ${found.mode === 'test' ? 'https://gate-api-sandbox.0bit.app' : 'https://gate-api.0bit.app'}`,
        'mode_mismatch',
      );
    request.auth = {
      keyId: found.key_id,
      kind: found.kind,
      scope: { partnerId: found.partner_id, mode: found.mode },
      partner: {
        id: found.partner_id,
        name: found.partner_name,
        allowed_domains: found.allowed_domains,
        kyc_trusted: found.kyc_trusted,
        monthly_sessions: found.monthly_sessions,
        customer_daily_limits: found.customer_daily_limits,
      },
    };
    const now = Date.now();
    if ((lastTouched.get(found.key_id) ?? 0) + TOUCH_EVERY_MS < now) {
      lastTouched.set(found.key_id, now);
      recordKeyUse(deps.db, found.key_id).catch((err) =>
        request.log.warn({ err }, 'could not record key use'),
      );
    }
  };
}

/** The authenticated scope; routes behind a key guard always have one. */
export function scopeOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new Error('route is missing its key guard');
  return request.auth;
}
