import { createHash } from 'node:crypto';
import { randomAlphanumeric } from '@0bit/core/ids';
import type { Mode } from '@0bit/core/scope';
import type { TtlCache } from '@0bit/core/ttl-cache';
import type { Db } from '@0bit/db/connection';
import { type KeyLookup, lookupKey, lookupKeyById, touchKey } from '../store/api-keys.ts';

export type { KeyLookup };

export type KeyKind = 'publishable' | 'secret';

const KIND_PREFIX: Record<KeyKind, 'pk' | 'sk'> = { publishable: 'pk', secret: 'sk' };
/** Exactly `pk_|sk_` + `test_|live_` + 32 alphanumerics (glossary, "Key formats and prefixes"). */
const API_KEY = /^(pk|sk)_(test|live)_[A-Za-z0-9]{32}$/;

export interface ParsedKey {
  kind: KeyKind;
  mode: Mode;
  hash: string;
}

export function generateApiKey(kind: KeyKind, mode: Mode): string {
  return `${KIND_PREFIX[kind]}_${mode}_${randomAlphanumeric(32)}`;
}

/** Returns null for anything that is not exactly a key of our format. */
export function parseApiKey(raw: string): ParsedKey | null {
  const match = API_KEY.exec(raw);
  if (!match) return null;
  return {
    kind: match[1] === 'pk' ? 'publishable' : 'secret',
    mode: match[2] as Mode,
    hash: hashSecret(raw),
  };
}

export const looksLikeSecretKey = (raw: string): boolean => /^sk_/.test(raw);

/** What we keep to show a key in lists: kind, mode and four characters — never enough to use it. */
export function displayPrefix(rawKey: string): string {
  return rawKey.slice(0, rawKey.indexOf('_', 3) + 5);
}

/** SHA-256 hex. Keys and client secrets carry 190 bits of entropy, so an unsalted fast hash is enough. */
export function hashSecret(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

/** `gsec_<sessionId>_<32 alnum>` (glossary): binds a browser to exactly one session. */
export function generateClientSecret(sessionId: string): string {
  return `gsec_${sessionId}_${randomAlphanumeric(32)}`;
}

/** Key lookups cached by this process (see app.ts): every authenticated request asks, keys rarely change. */
export type KeyCache = TtlCache<KeyLookup>;

/** The key a credential's hash names, with its partner and its mode's settings; through `cache` if given. */
export function findKeyByHash(db: Db, hash: string, cache?: KeyCache): Promise<KeyLookup | undefined> {
  const lookup = () => lookupKey(db, hash);
  return cache ? cache.get(hash, lookup) : lookup();
}

/**
 * The same by key id, for embed tokens (they name the publishable key that minted them). The key guard
 * caches by key hash; the "id:" prefix keeps these entries apart in the same cache.
 */
export function findKeyById(db: Db, keyId: string, cache: KeyCache): Promise<KeyLookup | undefined> {
  return cache.get(`id:${keyId}`, () => lookupKeyById(db, keyId));
}

/** Records that a key was used now (`last_used_at`); callers throttle it, it is one write per call. */
export function recordKeyUse(db: Db, keyId: string): Promise<void> {
  return touchKey(db, keyId);
}
