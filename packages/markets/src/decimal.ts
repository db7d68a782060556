/**
 * Money as integers of minor units (bigint) and decimal strings at the edges — never a float. `toUnits`
 * refuses more fractional digits than the currency has instead of rounding a partner's amount silently.
 */
const DECIMAL = /^(0|[1-9]\d{0,17})(?:\.(\d+))?$/;

export function toUnits(text: string, decimals: number): bigint | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  return BigInt(match[1]! + fraction.padEnd(decimals, '0'));
}

/** Canonical decimal string: no exponent, trailing fractional zeros dropped ("0.0100" → "0.01"). */
export function fromUnits(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** ⌊a·b / c⌋ or ⌈a·b / c⌉ for non-negative integers. */
export function mulDiv(a: bigint, b: bigint, c: bigint, rounding: 'down' | 'up'): bigint {
  const product = a * b;
  const quotient = product / c;
  return rounding === 'up' && quotient * c !== product ? quotient + 1n : quotient;
}

/** Fiat style: always `decimals` fractional digits ("100.00"). */
export function fromUnitsFixed(units: bigint, decimals: number): string {
  const text = fromUnits(units, decimals);
  if (decimals === 0) return text;
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(decimals, '0')}`;
}
