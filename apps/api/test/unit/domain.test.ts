import { isObjectId, newObjectId, randomAlphanumeric } from '@0bit/core/ids';
import { SecretBox } from '@0bit/core/secret-box';
import { describe, expect, it } from 'vitest';
import { parseHostModes } from '../../src/config.ts';
import { checkTarget } from '../../src/domain/catalog.ts';
import {
  displayPrefix,
  generateApiKey,
  generateClientSecret,
  hashSecret,
  parseApiKey,
} from '../../src/domain/keys.ts';
import { canonicalAmount, isCurrency, minorUnits } from '../../src/domain/money.ts';
import { checkOrigin } from '../../src/domain/partners.ts';

describe('keys', () => {
  it('generates and parses every kind and mode, and rejects near misses', () => {
    for (const kind of ['publishable', 'secret'] as const)
      for (const mode of ['test', 'live'] as const) {
        const key = generateApiKey(kind, mode);
        expect(key).toMatch(/^(pk|sk)_(test|live)_[A-Za-z0-9]{32}$/);
        expect(parseApiKey(key)).toEqual({ kind, mode, hash: hashSecret(key) });
      }
    for (const bad of [
      'sk_test_',
      `sk_test_${'a'.repeat(31)}`,
      `sk_test_${'a'.repeat(33)}`,
      `rk_test_${'a'.repeat(32)}`,
      `sk_TEST_${'a'.repeat(32)}`,
      ` sk_test_${'a'.repeat(32)}`,
    ])
      expect(parseApiKey(bad)).toBeNull();
  });

  it('keeps only kind, mode and four characters for display', () => {
    const key = generateApiKey('secret', 'live');
    expect(displayPrefix(key)).toBe(key.slice(0, 12));
    expect(displayPrefix(key)).toMatch(/^sk_live_[A-Za-z0-9]{4}$/);
  });

  it('makes client secrets bound to their session', () => {
    const id = newObjectId();
    expect(generateClientSecret(id)).toMatch(new RegExp(`^gsec_${id}_[A-Za-z0-9]{32}$`));
  });

  it('draws random characters from the whole alphabet', () => {
    const seen = new Set(randomAlphanumeric(5000));
    expect(seen.size).toBe(62);
  });
});

describe('ids', () => {
  it('makes unique 24-hex ids that embed the creation second', () => {
    const ids = Array.from({ length: 10_000 }, () => newObjectId());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isObjectId)).toBe(true);
    expect(Number.parseInt(newObjectId(1_800_000_000_000).slice(0, 8), 16)).toBe(1_800_000_000);
  });
});

describe('money', () => {
  it('knows minor units from ISO 4217', () => {
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KWD')).toBe(3);
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('XXX')).toBe(false);
    expect(isCurrency('eur')).toBe(false);
  });

  it.each([
    ['100', 'EUR', '100.00'],
    ['007.5', 'EUR', '7.50'],
    ['0.1', 'USD', '0.10'],
    ['12', 'JPY', '12'],
    ['999999999999999.99', 'EUR', '999999999999999.99'],
  ])('canonicalises %s %s → %s', (amount, currency, expected) => {
    expect(canonicalAmount(amount, currency)).toEqual({ value: expected });
  });

  it.each(['0', '0.00', '-1', '1.', '.5', '1.001', 'abc', '1 000'])('refuses %s EUR', (amount) => {
    expect(canonicalAmount(amount, 'EUR').problem).toBeTruthy();
  });
});

describe('catalog and origins', () => {
  it('checks that a network carries the token', () => {
    expect(checkTarget('USDT', 'arbitrum')).toEqual([]);
    expect(checkTarget('BTC', null)).toEqual([]);
    expect(checkTarget(null, 'solana')).toEqual([]);
    expect(checkTarget('BTC', 'ethereum')[0]).toContain('BTC is available on bitcoin');
  });

  it('accepts only canonical exact origins', () => {
    expect(checkOrigin('https://shop.example')).toBeNull();
    expect(checkOrigin('http://localhost:3000')).toBeNull();
    expect(checkOrigin('https://shop.example:443')).toContain('did you mean "https://shop.example"');
    expect(checkOrigin('https://*.shop.example')).toContain('wildcard');
    expect(checkOrigin('null')).toBeTruthy();
  });

  it('parses HOST_MODES and reports a bad entry', () => {
    const map = parseHostModes('a.example=test,b.example=live,C.example=test+live');
    expect([...map.get('c.example')!].sort()).toEqual(['live', 'test']);
    expect(() => parseHostModes('a.example=prod')).toThrow('host=test');
  });
});

describe('SecretBox', () => {
  it('round-trips, uses a fresh nonce each time, and detects tampering or the wrong key', () => {
    const box = new SecretBox(SecretBox.generateKey());
    const a = box.seal('whsec_secret');
    expect(a).not.toBe(box.seal('whsec_secret'));
    expect(box.open(a)).toBe('whsec_secret');
    // Change one character well inside the ciphertext (the last ones may only carry base64 padding bits).
    const at = a.length - 10;
    const tampered = `${a.slice(0, at)}${a[at] === 'A' ? 'B' : 'A'}${a.slice(at + 1)}`;
    expect(tampered).not.toBe(a);
    expect(() => box.open(tampered)).toThrow();
    expect(() => new SecretBox(SecretBox.generateKey()).open(a)).toThrow();
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow('32 bytes');
  });
});
