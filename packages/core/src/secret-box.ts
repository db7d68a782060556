import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for values we must be able to use again (idempotent responses that carry a
 * client_secret, kyc_package pass-through, webhook and 0trace secrets). AES-256-GCM with a random 96-bit
 * nonce, the format `v1.<nonce>.<ciphertext+tag>` (base64url).
 *
 * Key rotation without downtime (docs/operating.md): `seal` always uses the current key (SECRETS_KEY);
 * `open` also accepts the other keys given (SECRETS_KEY_PREVIOUS), trying each — GCM's tag says which key
 * sealed a value, so the format needs no key id and instances still on the old code read every value the
 * new code writes. `reseal` moves a value to the current key (`npm run admin -- secrets reencrypt`).
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly others: readonly Buffer[];

  constructor(key: Buffer, others: readonly Buffer[] = []) {
    if (key.length !== 32) throw new Error('SECRETS_KEY must decode to exactly 32 bytes');
    for (const other of others)
      if (other.length !== 32) throw new Error('SECRETS_KEY_PREVIOUS keys must decode to exactly 32 bytes');
    this.key = key;
    this.others = others.filter((other) => !other.equals(key));
  }

  static generateKey(): Buffer {
    return randomBytes(32);
  }

  seal(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The plaintext, under the current key or any other key this box was given; throws if none opens it. */
  open(sealed: string): string {
    const opened = this.openWith(sealed);
    if (opened === null) throw new Error('sealed value opens with none of the configured keys');
    return opened.plaintext;
  }

  /**
   * The value sealed under the current key: null when it already is, a new sealed value when another key
   * sealed it. Throws when no configured key opens it.
   */
  reseal(sealed: string): string | null {
    const opened = this.openWith(sealed);
    if (opened === null) throw new Error('sealed value opens with none of the configured keys');
    return opened.current ? null : this.seal(opened.plaintext);
  }

  private openWith(sealed: string): { plaintext: string; current: boolean } | null {
    const [version, nonceText, bodyText] = sealed.split('.');
    if (version !== 'v1' || !nonceText || !bodyText) throw new Error('unrecognised sealed value');
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    for (const [i, key] of [this.key, ...this.others].entries()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAuthTag(body.subarray(body.length - 16));
        const plaintext = Buffer.concat([
          decipher.update(body.subarray(0, body.length - 16)),
          decipher.final(),
        ]).toString('utf8');
        return { plaintext, current: i === 0 };
      } catch {
        // Not this key (the tag does not verify); try the next.
      }
    }
    return null;
  }
}
