import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppError } from '@0bit/core/errors';
import type { SecretBox } from '@0bit/core/secret-box';
import { TtlCache } from '@0bit/core/ttl-cache';
import { type Audit, auditAs } from '@0bit/db/audit';
import type { Db } from '@0bit/db/connection';
import type { WindowCounter } from '@0bit/http/counters';
import { countRequest } from '@0bit/http/rate-limit';
import { INPUT_LIMITS, schemaErrorFormatter, validatorCompiler } from '@0bit/http/validation';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type JSONPath, visit } from 'jsonc-parser';
import { hashApiKey } from '../domain/credentials.ts';
import { traceError } from '../domain/errors.ts';
import type { Scope } from '../domain/pricing.ts';
import type { CredentialRow } from '../store/credentials.ts';
import type { NonceStore } from '../store/nonces.ts';
import { findCredentialForSigning } from '../store/settings.ts';
import { ok } from './envelope.ts';
import { signV2, V2_DOC, V2_PREFIX, V2_ROUTES, V2_TOLERANCE_SECONDS } from './signature-v2.ts';

/** A nonce is refused when the same key sent it within this window (the quickstart's 24 h). */
export const NONCE_WINDOW_SECONDS = 24 * 3600;
const NONCE = /^[A-Za-z0-9._:-]{8,128}$/;
const SIGNATURE = /^[0-9a-fA-F]{64}$/;
const TIMESTAMP = /^[0-9]{1,16}$/;

interface Verified {
  credential: CredentialRow;
  scope: Scope;
}

function authInvalid(message: string): AppError {
  return traceError('AUTH_INVALID', message);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const sameBytes = (expected: Buffer, given: string) =>
  SIGNATURE.test(given) && timingSafeEqual(expected, Buffer.from(given, 'hex'));

/**
 * Checks X-API-KEY / X-API-SIGN / X-API-NONCE (and X-API-TIMESTAMP for v2). The quickstart's signature (v1)
 * covers the exact raw body bytes only; v2 (signature-v2.ts) also binds method, path, nonce and timestamp.
 * v1 is refused where the route or the account requires v2. Credentials (with their decrypted secret and
 * the account's policy) are reused for `cacheTtlMs`; an expired credential is refused even from the cache.
 * Nonces always go to the shared NonceStore, so every instance agrees.
 */
export class RequestVerifier {
  private readonly cache: TtlCache<{ credential: CredentialRow; secret: string; requireV2: boolean }>;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly nonces: NonceStore,
    cacheTtlMs: number,
  ) {
    this.cache = new TtlCache(cacheTtlMs);
  }

  private credentialFor(apiKey: string) {
    const hash = hashApiKey(apiKey);
    return this.cache.get(hash, async () => {
      const found = await findCredentialForSigning(this.db, hash);
      return found && { ...found, secret: this.box.open(found.credential.api_secret_sealed) };
    });
  }

  /** `routeNeedsV2`: the route changes credentials, secrets, reference codes or an emergency choice. */
  async verify(request: FastifyRequest, rawBody: Buffer, routeNeedsV2 = false): Promise<Verified> {
    const apiKey = header(request, 'x-api-key');
    const sign = header(request, 'x-api-sign');
    const nonce = header(request, 'x-api-nonce');
    if (!apiKey || !sign || !nonce)
      throw authInvalid(
        'Send X-API-KEY, X-API-SIGN and X-API-NONCE on every request (docs/exchange/authentication.md)',
      );
    if (!NONCE.test(nonce))
      throw authInvalid(
        'X-API-NONCE must be 8–128 characters of letters, digits, ".", "_", ":" or "-", e.g. openssl rand -hex 16',
      );
    const found = await this.credentialFor(apiKey);
    if (!found || (found.credential.expires_at && found.credential.expires_at.getTime() <= Date.now()))
      throw authInvalid(
        'Unknown or retired X-API-KEY; use the apiKey from onboarding or your latest rotation',
      );
    if (sign.startsWith(V2_PREFIX))
      verifyV2(request, rawBody, found.secret, sign.slice(V2_PREFIX.length), nonce);
    else {
      if (routeNeedsV2)
        throw authInvalid(
          `${request.url} requires a v2 signature (X-API-SIGN: v2=… with X-API-TIMESTAMP, over method, path, nonce, timestamp and body): a body-only signature is not accepted on routes that change credentials, secrets, reference codes or emergency choices (${V2_DOC})`,
        );
      if (found.requireV2)
        throw authInvalid(
          `This account opted in to v2 signatures on every route (/api/v1/cabinet/signing): sign with X-API-SIGN: v2=… and X-API-TIMESTAMP (${V2_DOC})`,
        );
      const expected = createHmac('sha256', found.secret).update(rawBody).digest();
      if (!sameBytes(expected, sign))
        throw authInvalid(
          'X-API-SIGN does not match: it must be the hex HMAC-SHA256 of the exact body bytes you send, keyed with your apiSecret',
        );
    }
    // A pair in its overlap window keeps serving traffic while the partner deploys the new one, but it may be
    // the very pair that leaked: nothing v2-only (secrets, codes, signing, emergency choices, replays).
    if (routeNeedsV2 && found.credential.expires_at)
      throw authInvalid(
        `This apiKey was rotated out (it keeps working until ${found.credential.expires_at.toISOString()} for other calls); only the current apiKey/apiSecret can change credentials, secrets, reference codes, signing or emergency choices, or replay webhooks`,
      );
    if (!(await this.nonces.claim(found.credential.id, nonce, NONCE_WINDOW_SECONDS)))
      throw authInvalid(
        'X-API-NONCE was already used with this key in the last 24 h; send a fresh random nonce per request',
      );
    return {
      credential: found.credential,
      scope: { partnerId: found.credential.partner_id, mode: found.credential.mode },
    };
  }

  /** After a rotation this instance must not keep serving a cached credential past its new expiry. */
  forget(): void {
    this.cache.forget(() => true);
  }
}

function verifyV2(request: FastifyRequest, rawBody: Buffer, secret: string, given: string, nonce: string) {
  const timestamp = header(request, 'x-api-timestamp');
  if (!timestamp || !TIMESTAMP.test(timestamp))
    throw authInvalid(
      `A v2 signature needs X-API-TIMESTAMP: the current unix time in seconds, e.g. $(date +%s) (${V2_DOC})`,
    );
  const now = Math.floor(Date.now() / 1000);
  const skew = Number(timestamp) - now;
  if (Math.abs(skew) > V2_TOLERANCE_SECONDS)
    throw authInvalid(
      `X-API-TIMESTAMP is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} the server clock (${now}); v2 accepts ±${V2_TOLERANCE_SECONDS} s: send the current unix time in seconds (date +%s, not milliseconds), sign it, and keep your clock in sync`,
    );
  if (!SIGNATURE.test(given))
    throw authInvalid(`X-API-SIGN v2 must be "v2=" followed by 64 hex characters (${V2_DOC})`);
  const expected = signV2(secret, {
    method: request.method,
    path: request.url,
    nonce,
    timestamp,
    body: rawBody,
  });
  if (!sameBytes(expected, given))
    throw authInvalid(
      `X-API-SIGN does not match: v2 is "v2=" + hex HMAC-SHA256, keyed with your apiSecret, of "v2\\n<METHOD>\\n<path>\\n<X-API-NONCE>\\n<X-API-TIMESTAMP>\\n<hex SHA-256 of the exact body>" with the values you send (${V2_DOC})`,
    );
}

/** Who made a change through a signed request: the credential (by id) and the address it came from. */
export function auditOf(credential: CredentialRow, request: FastifyRequest): Audit {
  return auditAs({
    actor: { kind: 'exchange_credential', id: credential.id },
    partnerId: credential.partner_id,
    mode: credential.mode,
    ip: request.ip,
  });
}

/** Keys that mean something to JavaScript objects; no field of this API has these names. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const where = (path: JSONPath) => ['body', ...path].join('.');

/**
 * JSON.parse lets the last of two equal keys win silently, while other parsers (a partner's, a proxy's)
 * may keep the first: the signed bytes would mean two different requests. Refuse both ambiguities here,
 * naming the key and where it is. Runs on text JSON.parse has already accepted.
 */
function keyProblem(text: string): string | undefined {
  // visit() recurses per level and overflows the stack at a few thousand (a 16 KB body): count brackets
  // outside strings first, iteratively, against the platform's limit (the body itself is level 1).
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character (a quote included).
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > INPUT_LIMITS.maxDepth)
        return `The body nests deeper than ${INPUT_LIMITS.maxDepth} levels of objects and arrays; flatten it`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  const open: Set<string>[] = [];
  let problem: string | undefined;
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (key, _offset, _length, _line, _column, path) => {
      if (problem) return;
      const seen = open.at(-1);
      if (FORBIDDEN_KEYS.has(key))
        problem = `"${key}" is not allowed as a key (in ${where(path())}): no field of this API has that name`;
      else if (seen?.has(key))
        problem = `The body has duplicate key "${key}" in ${where(path())}: send each key once per object`;
      else seen?.add(key);
    },
  });
  return problem;
}

/** Parses the (already authenticated) raw JSON body and validates it against the route's schema. */
export function bodyParser<S extends TSchema>(schema: S) {
  const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '' } as never);
  return (rawBody: Buffer): Static<S> => {
    let parsed: unknown;
    const text = rawBody.toString('utf8');
    try {
      parsed = rawBody.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw traceError('INVALID_REQUEST', 'The body is not valid JSON');
    }
    const problem = rawBody.length === 0 ? undefined : keyProblem(text);
    if (problem) throw traceError('INVALID_REQUEST', problem);
    if (!validate(parsed)) {
      const problem = schemaErrorFormatter(validate.errors ?? [], 'body') as Error & {
        messages: string | string[];
      };
      throw traceError('INVALID_REQUEST', problem.message, { errors: [problem.messages].flat() });
    }
    return parsed as Static<S>;
  };
}

export interface RateRule {
  name: string;
  perMinute: number;
}

export interface SignedRouteDeps {
  verifier: RequestVerifier;
  counter: WindowCounter | null;
}

async function enforceRate(
  deps: SignedRouteDeps,
  request: FastifyRequest,
  rule: RateRule,
  credentialId: string,
) {
  if (!deps.counter) return;
  const result = await countRequest(deps.counter, `exchange:${rule.name}:${credentialId}`, request.log);
  if (result && result.count > rule.perMinute)
    throw traceError(
      'RATE_LIMITED',
      `More than ${rule.perMinute} ${rule.name} requests per minute for this key; retry after ${result.resetSeconds} s`,
      { retryAfter: result.resetSeconds },
    );
}

/**
 * Bytes sent with a Content-Type other than JSON. They are kept, not refused while parsing, so that the
 * credential is checked first (AUTH_INVALID before INVALID_REQUEST, whatever the body); jsonBodyOf refuses
 * them once the request is authenticated.
 */
export class NotJsonBody {
  constructor(readonly bytes: Buffer) {}
}

/** The exact bytes sent, whatever their Content-Type (empty without a body): what a signature covers. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  const body = request.body;
  if (body instanceof NotJsonBody) return body.bytes;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** For an authenticated request: the raw JSON body, or INVALID_REQUEST when it was sent as something else. */
export function jsonBodyOf(request: FastifyRequest): Buffer {
  if (request.body instanceof NotJsonBody)
    throw traceError('INVALID_REQUEST', 'Content-Type must be application/json');
  return rawBodyOf(request);
}

const verifiedRequests = new WeakMap<FastifyRequest, Verified>();

/** What a signed route's handler gets once the request is verified and its body validated. */
export type SignedHandler<S extends TSchema> = (input: {
  scope: Scope;
  credential: CredentialRow;
  body: Static<S>;
  rawBody: Buffer;
  request: FastifyRequest;
}) => Promise<unknown>;

/**
 * A POST route behind request signing: verify (preValidation, before anything reads the body, so a credential
 * problem is AUTH_INVALID whatever the body) → rate limit (preHandler) → Content-Type and body validation →
 * handler → `{code: 0, data}`.
 */
export function signedRoute<S extends TSchema>(
  app: FastifyInstance,
  deps: SignedRouteDeps,
  path: string,
  schema: S,
  rule: RateRule,
  handler: SignedHandler<S>,
): void {
  const parse = bodyParser(schema);
  const needsV2 = V2_ROUTES.has(path);
  const verifiedOf = (request: FastifyRequest): Verified => {
    const verified = verifiedRequests.get(request);
    if (!verified) throw new Error('signed route ran without its verification hook');
    return verified;
  };
  app.post(
    path,
    {
      preValidation: async (request) => {
        verifiedRequests.set(request, await deps.verifier.verify(request, rawBodyOf(request), needsV2));
      },
      preHandler: async (request) => enforceRate(deps, request, rule, verifiedOf(request).credential.id),
    },
    async (request) => {
      const { credential, scope } = verifiedOf(request);
      const rawBody = jsonBodyOf(request);
      return ok(await handler({ scope, credential, body: parse(rawBody), rawBody, request }));
    },
  );
}
