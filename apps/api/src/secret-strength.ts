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
