import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configProblems } from './support/config.ts';

// Issue #14, finding 10: production accepted a SECRETS_KEY of all zeros and repeated-character tokens.
const strong = {
  ADMIN_TOKEN: randomBytes(24).toString('base64url'),
  SECRETS_KEY: randomBytes(32).toString('hex'),
  EMBED_TOKEN_SECRET: randomBytes(32).toString('base64url'),
};
const production = (overrides: Record<string, string>) => ({
  NODE_ENV: 'production',
  ...strong,
  ...overrides,
});

const problems = configProblems;

describe('production refuses low-entropy secrets, naming the variable', () => {
  it('accepts random secrets (hex, base64, base64url, alphanumeric, kid:secret lists)', () => {
    expect(problems(production({}))).toEqual([]);
    expect(problems(production({ SECRETS_KEY: randomBytes(32).toString('base64') }))).toEqual([]);
    expect(problems(production({ ADMIN_TOKEN: randomBytes(20).toString('hex') }))).toEqual([]);
    expect(
      problems(
        production({
          EMBED_TOKEN_SECRET: `k2:${randomBytes(24).toString('base64url')},k1:${randomBytes(24).toString('hex')}`,
        }),
      ),
    ).toEqual([]);
  });

  const weak: Array<[string, string, string]> = [
    ['ADMIN_TOKEN', 'all zeros', '0'.repeat(40)],
    ['ADMIN_TOKEN', 'one repeated character', 'a'.repeat(32)],
    ['ADMIN_TOKEN', 'a repeated word', 'admin123'.repeat(4)],
    ['ADMIN_TOKEN', 'a counting sequence', 'abcdefghijklmnopqrstuvwxyz0123'],
    ['ADMIN_TOKEN', 'a repeating pair', 'ab'.repeat(16)],
    ['ADMIN_TOKEN', 'too short', 'Zx8$kQ2!'],
    ['SECRETS_KEY', 'all zero bytes (hex)', '0'.repeat(64)],
    ['SECRETS_KEY', 'all zero bytes (base64)', Buffer.alloc(32).toString('base64')],
    ['SECRETS_KEY', 'a repeated 4-byte word', 'deadbeef'.repeat(8)],
    ['SECRETS_KEY', 'counting bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex')],
    ['SECRETS_KEY', 'repeated byte', 'ab'.repeat(32)],
    ['EMBED_TOKEN_SECRET', 'one repeated character', 'x'.repeat(48)],
    ['EMBED_TOKEN_SECRET', 'a patterned secret with a kid', `k1:${'secret'.repeat(8)}`],
    ['EMBED_TOKEN_SECRET', 'the second of two keys', `k2:${strong.EMBED_TOKEN_SECRET},k1:${'1'.repeat(40)}`],
    // Found by an attack pass: a repeated word behind a prefix or before a suffix is not "the whole string repeats".
    ['ADMIN_TOKEN', 'a repeated word behind a prefix', 'adm_changeme_changeme_changeme'],
    ['EMBED_TOKEN_SECRET', 'a repeated word before a suffix', 'secretsecretsecretsecretsecret12'],
  ];
  it.each(weak)('%s: %s', (name, _case, value) => {
    const found = problems(production({ [name]: value }));
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toContain(name);
    // The message explains; it never repeats the secret.
    expect(found.join('\n')).not.toContain(value);
  });

  it('outside production the same values still start (local development)', () => {
    expect(problems({ ADMIN_TOKEN: 'a'.repeat(32), SECRETS_KEY: '0'.repeat(64) })).toEqual([]);
  });
});

describe('production refuses one secret serving as another', () => {
  it.each([
    ['ADMIN_TOKEN', 'EMBED_TOKEN_SECRET', { EMBED_TOKEN_SECRET: strong.ADMIN_TOKEN }],
    ['ADMIN_TOKEN', 'SECRETS_KEY', { ADMIN_TOKEN: strong.SECRETS_KEY }],
    ['SECRETS_KEY', 'EMBED_TOKEN_SECRET', { EMBED_TOKEN_SECRET: `k1:${strong.SECRETS_KEY}` }],
  ])('%s reused as %s', (first, second, overrides) => {
    const found = problems(production(overrides)).join('\n');
    expect(found).toContain(first);
    expect(found).toContain(second);
    expect(found).not.toContain(strong.ADMIN_TOKEN);
    expect(found).not.toContain(strong.SECRETS_KEY);
  });
});
