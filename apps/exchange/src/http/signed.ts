import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import { TtlCache } from '@0bit/core/ttl-cache';
import { type Audit, auditAs } from '@0bit/db/audit';
import type { Db } from '@0bit/db/connection';
import type { WindowCounter } from '@0bit/http/counters';
import { countRequest } from '@0bit/http/rate-limit';
import { INPUT_LIMITS } from '@0bit/http/validation';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type JSONPath, visit } from 'jsonc-parser';
import { hashApiKey } from '../domain/credentials.ts';
import { signingCredential } from '../domain/signing.ts';
import { type TraceError, traceError } from '../errors.ts';
import type { CredentialRow } from '../store/credentials.ts';
import type { NonceStore } from '../store/nonces.ts';
import { ok } from './envelope.ts';
import { errorResponses, okEnvelope, SIGNED, SIGNED_V2 } from './schemas.ts';
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

function authInvalid(message: string): TraceError {
  return traceError('AUTH_INVALID', message);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const sameBytes = (expected: Buffer, given: string) =>
  SIGNATURE.test(given) && timingSafeEqual(expected, Buffer.from(given, 'hex'));

/**
 * The credential headers, present and well formed, or AUTH_INVALID. Checked on its own in `onRequest` too,
 * before the body is read: a request without credentials is refused without parsing (or even receiving) its
 * body, whatever its size or content.
 */
function credentialHeaders(request: FastifyRequest): { apiKey: string; sign: string; nonce: string } {
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
  return { apiKey, sign, nonce };
}

/** onRequest: no body is read for a request that carries no credentials. */
export async function requireCredentialHeaders(request: FastifyRequest): Promise<void> {
  credentialHeaders(request);
}

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
    return this.cache.get(hash, () => signingCredential(this.db, this.box, hash));
  }

  /** `routeNeedsV2`: the route changes credentials, secrets, reference codes or an emergency choice. */
  async verify(request: FastifyRequest, rawBody: Buffer, routeNeedsV2 = false): Promise<Verified> {
    const { apiKey, sign, nonce } = credentialHeaders(request);
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

/**
 * Why a body was not accepted (not JSON, a duplicate or prototype key, too deep, not application/json).
 * The content-type parsers keep it as the body instead of failing the request, so the credential is checked
 * first (AUTH_INVALID before INVALID_REQUEST, whatever the body); refuseBadBody throws it once it is.
 */
export class RefusedBody {
  constructor(readonly error: TraceError) {}
}

/** JSON with the strict rules above: an empty body is `{}`; anything refused comes back as a RefusedBody. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseStrictJson(rawBody: Buffer): unknown {
  if (rawBody.length === 0) return {};
  let text: string;
  try {
    // JSON is UTF-8 (RFC 8259 §8.1): invalid bytes are refused, never replaced by U+FFFD, so two different
    // signed byte strings cannot parse to the same value.
    text = STRICT_UTF8.decode(rawBody);
  } catch {
    return new RefusedBody(
      traceError('INVALID_REQUEST', 'The body is not valid JSON: it is not valid UTF-8'),
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new RefusedBody(traceError('INVALID_REQUEST', 'The body is not valid JSON'));
  }
  const problem = keyProblem(text);
  return problem ? new RefusedBody(traceError('INVALID_REQUEST', problem)) : parsed;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes sent, whatever their Content-Type (empty without a body): what a signature covers. */
    rawBody: Buffer | null;
  }
}

const NOT_JSON = 'Content-Type must be application/json';

/**
 * The 0trace body parsers: every body is kept raw on the request (signatures cover the exact bytes) and
 * JSON is parsed with the strict rules; any other Content-Type is kept too and refused after the
 * credential check. Fastify then validates the parsed body against the route's schema.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.decorateRequest('rawBody', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, parseStrictJson(body as Buffer));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, new RefusedBody(traceError('INVALID_REQUEST', NOT_JSON)));
  });
}

/** The exact bytes sent, whatever their Content-Type (empty without a body): what a signature covers. */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return request.rawBody ?? Buffer.alloc(0);
}

/** preValidation: a POST or PUT without a body is `{}` (as an empty one is), so Fastify validates that. */
export async function emptyBodyIsEmptyObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}

/**
 * preHandler, once the caller is authenticated (and rate-limited): the body the parser refused, else the
 * schema problems Fastify found (routes set attachValidation so that validation never answers before the
 * credential check), each named in `data.errors`.
 */
export async function refuseBadBody(request: FastifyRequest): Promise<void> {
  if (request.body instanceof RefusedBody) throw request.body.error;
  const invalid = request.validationError as (Error & { messages?: string | string[] }) | undefined;
  if (invalid)
    throw traceError('INVALID_REQUEST', invalid.message, {
      errors: [invalid.messages ?? invalid.message].flat(),
    });
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

const verifiedRequests = new WeakMap<FastifyRequest, Verified>();

/** What a signed route's handler gets once the request is verified and its body validated. */
export type SignedHandler<S extends TSchema> = (input: {
  scope: Scope;
  credential: CredentialRow;
  body: Static<S>;
  rawBody: Buffer;
  request: FastifyRequest;
}) => Promise<unknown>;

/** A signed route: its path, schemas, rate limit and what the OpenAPI document says about it. */
export interface SignedRouteSpec<S extends TSchema> {
  path: string;
  body: S;
  /** The schema of `data` in the `{code: 0, msg: "OK", data}` answer. */
  data: TSchema;
  rule: RateRule;
  operationId: string;
  summary: string;
  tags: string[];
  description?: string;
  /** Sandbox-only or otherwise not part of the partner contract: served, but left out of the document. */
  hide?: boolean;
}

/**
 * A POST route behind request signing, on Fastify's lifecycle:
 * onRequest: the credential headers are there (else AUTH_INVALID, the body never read) →
 * parse (the raw bytes kept, strict JSON; a refused body deferred) → preValidation: verify the signature and
 * nonce, so a credential problem is AUTH_INVALID whatever the body → Fastify validates the body against the
 * schema (attached, not answered) → preHandler: rate limit, then refuse a bad body (INVALID_REQUEST with
 * `data.errors`) → handler → `{code: 0, data}`.
 */
export function signedRoute<S extends TSchema>(
  app: FastifyInstance,
  deps: SignedRouteDeps,
  spec: SignedRouteSpec<S>,
  handler: SignedHandler<S>,
): void {
  const needsV2 = V2_ROUTES.has(spec.path);
  const verifiedOf = (request: FastifyRequest): Verified => {
    const verified = verifiedRequests.get(request);
    if (!verified) throw new Error('signed route ran without its verification hook');
    return verified;
  };
  app.post(
    spec.path,
    {
      schema: {
        operationId: spec.operationId,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        tags: spec.tags,
        ...(spec.hide ? { hide: true } : {}),
        security: [needsV2 ? SIGNED_V2 : SIGNED],
        body: spec.body,
        response: { 200: okEnvelope(spec.data), ...errorResponses },
      },
      attachValidation: true,
      onRequest: [requireCredentialHeaders],
      preValidation: [
        emptyBodyIsEmptyObject,
        async (request) => {
          verifiedRequests.set(request, await deps.verifier.verify(request, rawBodyOf(request), needsV2));
        },
      ],
      preHandler: [
        async (request) => enforceRate(deps, request, spec.rule, verifiedOf(request).credential.id),
        refuseBadBody,
      ],
    },
    async (request) => {
      const { credential, scope } = verifiedOf(request);
      const body = request.body as Static<S>;
      return ok(await handler({ scope, credential, body, rawBody: rawBodyOf(request), request }));
    },
  );
}
