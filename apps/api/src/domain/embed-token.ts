import { AuthenticationError } from '@0bit/core/errors';
import type { Mode } from '@0bit/core/scope';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { EmbedTokenKey } from '../config.ts';

/** The embed JWT's claims (glossary, "Embed token claims"). */
export interface EmbedClaims {
  partner_id: string;
  kid: string;
  mode: Mode;
  /** The page the widget is embedded in: the only parent the widget talks to by postMessage. */
  origin: string;
  scope: 'embed';
  /** Present only when the bootstrap was session-bound. */
  session_id?: string;
  iat: number;
  exp: number;
}

/** What a verified token says: its claims, and the publishable key that minted it. */
export interface VerifiedEmbedToken {
  claims: EmbedClaims;
  /** The id of the publishable key whose bootstrap issued the token (protected header `key_id`). */
  keyId: string;
}

const encoder = new TextEncoder();

/**
 * Issues and checks embed tokens: HS256 only (the algorithm is pinned on verify, so `alg: none` or an
 * asymmetric confusion never passes), signed with the first configured key and verified with whichever
 * key the token's `kid` names, so a new key can be added and an old one retired without breaking tokens.
 */
export class EmbedTokens {
  private readonly keys: Map<string, Uint8Array>;
  private readonly signing: EmbedTokenKey;

  constructor(
    keys: EmbedTokenKey[],
    readonly ttlSeconds: number,
  ) {
    if (keys.length === 0) throw new Error('at least one embed token key is required');
    this.signing = keys[0]!;
    this.keys = new Map(keys.map((k) => [k.kid, encoder.encode(k.secret)]));
  }

  /**
   * The minting publishable key's id rides in the protected (signed) header, not in the claims: the claim
   * set is the glossary's. Each widget call checks that key is still active, so a token dies with its key.
   */
  async issue(claims: {
    partnerId: string;
    mode: Mode;
    origin: string;
    sessionId: string | null;
    keyId: string;
  }) {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({
      partner_id: claims.partnerId,
      kid: this.signing.kid,
      mode: claims.mode,
      origin: claims.origin,
      scope: 'embed',
      ...(claims.sessionId ? { session_id: claims.sessionId } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: this.signing.kid, key_id: claims.keyId })
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.keys.get(this.signing.kid)!);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  async verify(token: string): Promise<VerifiedEmbedToken> {
    let kid: string | undefined;
    let keyId: unknown;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'HS256') throw new AuthenticationError('Embed token must be HS256');
      kid = header.kid;
      keyId = header.key_id;
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError('Malformed X-Embed-Token; bootstrap again with POST /v1/embed/bootstrap');
    }
    const key = kid ? this.keys.get(kid) : undefined;
    if (!key)
      throw new AuthenticationError('Embed token signed with an unknown or retired key; bootstrap again');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new AuthenticationError('Embed token expired; bootstrap again');
      throw new AuthenticationError('Invalid embed token signature; bootstrap again');
    }
    if (payload.scope !== 'embed') throw new AuthenticationError('Token scope is not "embed"');
    if (payload.kid !== kid) throw new AuthenticationError('Embed token kid claim does not match its header');
    if (payload.mode !== 'test' && payload.mode !== 'live')
      throw new AuthenticationError('Embed token has no valid mode');
    if (typeof payload.partner_id !== 'string' || typeof payload.origin !== 'string')
      throw new AuthenticationError('Embed token is missing claims');
    if (payload.session_id !== undefined && typeof payload.session_id !== 'string')
      throw new AuthenticationError('Embed token session_id is invalid');
    // Tokens minted before tokens named their key (at most one TTL old after an upgrade) start over.
    if (typeof keyId !== 'string' || keyId.length === 0)
      throw new AuthenticationError('Embed token does not name its publishable key; bootstrap again');
    return { claims: payload as unknown as EmbedClaims, keyId };
  }
}
