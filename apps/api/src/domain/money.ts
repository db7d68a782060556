/**
 * Amounts are decimal strings, never floats. A currency's minor units come from ICU (ISO 4217), so "100"
 * EUR is canonical "100.00" and "1.001" EUR is refused instead of silently rounded.
 */

// Codes ICU knows that are not money a person pays with: funds, precious metals, testing and "no currency".
const NON_TENDER = new Set([
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XPD',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
]);
const ISO_CODES = new Set(Intl.supportedValuesOf('currency').filter((c) => !NON_TENDER.has(c)));

/** The largest amount we accept: 15 integer digits stays exact in every downstream system. */
const MAX_INTEGER_DIGITS = 15;

export function isCurrency(code: string): boolean {
  return ISO_CODES.has(code);
}

/** Memoised: constructing an Intl.NumberFormat costs more than the rest of a create's checks together. */
const MINOR_UNITS = new Map<string, number>();

export function minorUnits(currency: string): number {
  let digits = MINOR_UNITS.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    MINOR_UNITS.set(currency, digits);
  }
  return digits;
}

/** Returns the canonical form (`"100"` EUR → `"100.00"`) or the problems with the input. */
export function canonicalAmount(amount: string, currency: string): { value?: string; problem?: string } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match)
    return {
      problem: 'amount must be a positive decimal string such as "100.00" (digits, one optional dot)',
    };
  const integer = match[1]!.replace(/^0+(?=\d)/, '');
  const fraction = match[2] ?? '';
  if (integer.length > MAX_INTEGER_DIGITS)
    return { problem: `amount must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point` };
  const digits = minorUnits(currency);
  if (fraction.length > digits) {
    const example = digits === 0 ? '"100"' : `"100.${'0'.repeat(digits)}"`;
    return {
      problem: `amount has ${fraction.length} decimal places but ${currency} has ${digits}; send e.g. ${example}`,
    };
  }
  const canonical = digits === 0 ? integer : `${integer}.${fraction.padEnd(digits, '0')}`;
  if (/^[0.]+$/.test(canonical)) return { problem: 'amount must be greater than zero' };
  return { value: canonical };
}
