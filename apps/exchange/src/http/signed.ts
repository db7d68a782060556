import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { countRequest } from '../../../api/src/http/rate-limit.ts';
import { schemaErrorFormatter, validatorCompiler } from '../../../api/src/http/validation.ts';
import type { WindowCounter } from '../../../api/src/store/counters.ts';
import type { Db } from '../../../api/src/store/db.ts';
import type { SecretBox } from '../../../api/src/store/secret-box.ts';
import { TtlCache } from '../../../api/src/store/ttl-cache.ts';
import { hashApiKey } from '../domain/credentials.ts';
import { ExchangeError } from '../domain/errors.ts';
import type { Scope } from '../domain/pricing.ts';
import { type CredentialRow, findUsableCredential } from '../store/credentials.ts';
import type { NonceStore } from '../store/nonces.ts';
import { ok } from './envelope.ts';

/** A nonce is refused when the same key sent it within this window (the quickstart's 24 h). */
export const NONCE_WINDOW_SECONDS = 24 * 3600;
const NONCE = /^[A-Za-z0-9._:-]{8,128}$/;
const SIGNATURE = /^[0-9a-fA-F]{64}$/;

interface Verified {
  credential: CredentialRow;
  scope: Scope;
}

function authInvalid(message: string): ExchangeError {
  return new ExchangeError('AUTH_INVALID', message);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks X-API-KEY / X-API-SIGN / X-API-NONCE against the exact raw body bytes. Credentials (with their
 * decrypted secret) are reused for `cacheTtlMs`; an expired credential is refused even from the cache.
 * Nonces always go to the shared NonceStore, so every instance agrees.
 */
export class RequestVerifier {
  private readonly cache: TtlCache<{ credential: CredentialRow; secret: string }>;

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
      const credential = await findUsableCredential(this.db, hash);
      return credential && { credential, secret: this.box.open(credential.api_secret_sealed) };
    });
  }

  async verify(request: FastifyRequest, rawBody: Buffer): Promise<Verified> {
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
    const expected = createHmac('sha256', found.secret).update(rawBody).digest();
    if (!SIGNATURE.test(sign) || !timingSafeEqual(expected, Buffer.from(sign, 'hex')))
      throw authInvalid(
        'X-API-SIGN does not match: it must be the hex HMAC-SHA256 of the exact body bytes you send, keyed with your apiSecret',
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

/** Parses the (already authenticated) raw body and validates it against the route's schema. */
export function bodyParser<S extends TSchema>(schema: S) {
  const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '' } as never);
  return (rawBody: Buffer): Static<S> => {
    let parsed: unknown;
    try {
      parsed = rawBody.length === 0 ? {} : JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new ExchangeError('INVALID_REQUEST', 'The body is not valid JSON');
    }
    if (!validate(parsed)) {
      const problem = schemaErrorFormatter(validate.errors ?? [], 'body') as Error & {
        messages: string | string[];
      };
      throw new ExchangeError('INVALID_REQUEST', problem.message, { errors: [problem.messages].flat() });
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
    throw new ExchangeError(
      'RATE_LIMITED',
      `More than ${rule.perMinute} ${rule.name} requests per minute for this key; retry after ${result.resetSeconds} s`,
      { retryAfter: result.resetSeconds },
    );
}

/** A POST route behind request signing: verify → rate limit → parse → handler → `{code: 0, data}`. */
export type SignedHandler<S extends TSchema> = (input: {
  scope: Scope;
  credential: CredentialRow;
  body: Static<S>;
  rawBody: Buffer;
  request: FastifyRequest;
}) => Promise<unknown>;

export function signedRoute<S extends TSchema>(
  app: FastifyInstance,
  deps: SignedRouteDeps,
  path: string,
  schema: S,
  rule: RateRule,
  handler: SignedHandler<S>,
): void {
  const parse = bodyParser(schema);
  app.post(path, async (request) => {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const { credential, scope } = await deps.verifier.verify(request, rawBody);
    await enforceRate(deps, request, rule, credential.id);
    return ok(await handler({ scope, credential, body: parse(rawBody), rawBody, request }));
  });
}
