/**
 * Whether a configured secret looks machine-random, with measures an operator can check by hand: length,
 * distinct symbols, Shannon entropy per symbol, a repeated unit ("abcabc…") and a run with a constant step
 * ("abcdef…", "000000…", bytes 0,1,2…). Thresholds sit far below what random secrets reach (100 000 random
 * 24-character hex tokens: ≥ 7 distinct, ≥ 2.6 bits; 32 random bytes: ≥ 24 distinct, ≥ 4.4 bits), so a
 * generated secret never fails while zeros, repeats and keyboard-free patterns do. It cannot prove a secret
 * random; it refuses the obviously not random.
 */
export interface StrengthRules {
  minLength: number;
  minDistinct: number;
  minBitsPerSymbol: number;
  /** What a symbol is called in the message: "character" or "byte". */
  unit: string;
}

/** Rules for text tokens (ADMIN_TOKEN, EMBED_TOKEN_SECRET). */
export const TEXT_SECRET: StrengthRules = {
  minLength: 24,
  minDistinct: 6,
  minBitsPerSymbol: 2.5,
  unit: 'character',
};
/** Rules for a 32-byte key (SECRETS_KEY), measured on the decoded bytes. */
export const KEY_BYTES: StrengthRules = {
  minLength: 32,
  minDistinct: 16,
  minBitsPerSymbol: 3.5,
  unit: 'byte',
};

const LONGEST_RUN = 8;
/** Repeats shorter than this are chance in a random secret; longer ones are copied material. */
const MIN_REPEAT = 4;
/** Share of a secret that may be copies of its own earlier material ("changeme_changeme", "secretsecret12"). */
const MAX_REPEATED_SHARE = 0.25;

export function shannonBitsPerSymbol(symbols: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / symbols.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** The shortest unit the whole sequence repeats, if it repeats one at least twice. */
function repeatedUnit(symbols: readonly number[]): number | null {
  for (let period = 1; period <= symbols.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < symbols.length && repeats; i++) repeats = symbols[i] === symbols[i - period];
    if (repeats) return period;
  }
  return null;
}

/**
 * The share of the sequence that repeats earlier material (LZ77-style: at each position the longest earlier
 * match of at least MIN_REPEAT symbols is counted as copied). It catches a repeated word behind a prefix or
 * before a suffix, which `repeatedUnit` (the whole sequence repeating) misses. A random 64-character hex secret
 * copies well under 10 %; "adm_changeme_changeme_changeme" copies over half.
 */
function repeatedShare(symbols: readonly number[]): number {
  let copied = 0;
  let i = 0;
  while (i < symbols.length) {
    let longest = 0;
    for (let j = 0; j < i; j++) {
      let length = 0;
      while (i + length < symbols.length && symbols[j + length] === symbols[i + length]) length++;
      longest = Math.max(longest, length);
    }
    if (longest >= MIN_REPEAT) {
      copied += longest;
      i += longest;
    } else i++;
  }
  return symbols.length === 0 ? 0 : copied / symbols.length;
}

/** The longest stretch where each symbol is the previous plus the same step (0 = one symbol repeated). */
function longestConstantStepRun(symbols: readonly number[]): number {
  let longest = Math.min(symbols.length, 1);
  let run = 1;
  for (let i = 1; i < symbols.length; i++) {
    const sameStep = i >= 2 && symbols[i]! - symbols[i - 1]! === symbols[i - 1]! - symbols[i - 2]!;
    run = sameStep ? run + 1 : 2;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** Why `symbols` is too weak to guard production, or null. The message never repeats the secret. */
export function weakness(symbols: readonly number[], rules: StrengthRules): string | null {
  const u = rules.unit;
  if (symbols.length < rules.minLength)
    return `is too short (${symbols.length} ${u}s; at least ${rules.minLength} random ${u}s)`;
  const period = repeatedUnit(symbols);
  if (period !== null) return `repeats a ${period}-${u} pattern`;
  const share = repeatedShare(symbols);
  if (share > MAX_REPEATED_SHARE)
    return `repeats its own material (${Math.round(share * 100)} % of its ${u}s copy an earlier part)`;
  const run = longestConstantStepRun(symbols);
  if (run >= LONGEST_RUN) return `contains a sequence of ${run} ${u}s (repeated or counting)`;
  const distinct = new Set(symbols).size;
  if (distinct < rules.minDistinct)
    return `uses only ${distinct} distinct ${u}s (at least ${rules.minDistinct})`;
  const bits = shannonBitsPerSymbol(symbols);
  if (bits < rules.minBitsPerSymbol)
    return `has ${bits.toFixed(2)} bits of entropy per ${u} (at least ${rules.minBitsPerSymbol})`;
  return null;
}

export const textSymbols = (text: string): number[] => [...text].map((c) => c.codePointAt(0)!);

export const GENERATE_HINT = 'generate one with: openssl rand -hex 32';
