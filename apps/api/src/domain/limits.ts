import { AppError } from '@0bit/core/errors';
import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { costliestNetworkFeeUsd, RAMP_FEE_BPS, SANDBOX_PRICES, toUnits } from '@0bit/markets';
import { customerDailyTotal } from '../store/sessions.ts';
import { canonicalAmount, isCurrency, minorUnits } from './money.ts';

/** The smallest and largest amount of one session in a currency (decimal strings, canonical). */
export interface AmountBounds {
  min: string;
  max: string;
}
export type AmountBoundsByCurrency = Record<string, AmountBounds>;

/** The largest session by default, in USD (converted and rounded down to a thousand in each currency). */
const DEFAULT_MAX_USD = 25_000;

/**
 * Defaults derived from the fee model (docs/sessions.md "Amount limits"): the minimum is the smallest whole
 * amount that, after the 1.5 % processing fee, still pays the costliest network fee the ramp charges — so no
 * session is created that cannot cover its fees whatever asset the customer picks — and the maximum is
 * 25 000 USD worth. Only currencies the ramp prices have bounds; SESSION_AMOUNT_BOUNDS overrides them.
 */
export function defaultAmountBounds(prices: Readonly<Record<string, string>> = SANDBOX_PRICES) {
  const feeUsd = costliestNetworkFeeUsd(prices);
  const bounds: AmountBoundsByCurrency = {};
  for (const [currency, price] of Object.entries(prices)) {
    if (!isCurrency(currency)) continue;
    const usd = Number(price);
    const min = Math.floor(feeUsd / (1 - RAMP_FEE_BPS / 10_000) / usd) + 1;
    const max = Math.floor(DEFAULT_MAX_USD / usd / 1000) * 1000;
    bounds[currency] = {
      min: canonicalAmount(String(min), currency).value!,
      max: canonicalAmount(String(max), currency).value!,
    };
  }
  return bounds;
}

export const DEFAULT_AMOUNT_BOUNDS: AmountBoundsByCurrency = defaultAmountBounds();

const units = (amount: string, currency: string) => toUnits(amount, minorUnits(currency)) ?? 0n;

/** 422 `amount_out_of_bounds` naming the bounds, or nothing when the amount is within them. */
export function checkAmountBounds(amount: string, currency: string, bounds: AmountBoundsByCurrency): void {
  const b = bounds[currency];
  if (!b) return;
  const value = units(amount, currency);
  if (value >= units(b.min, currency) && value <= units(b.max, currency)) return;
  throw new AppError(
    'invalid_request',
    [
      `amount must be between ${b.min} and ${b.max} ${currency} (the smallest session that covers its fees, and the largest allowed); got ${amount}`,
    ],
    { code: 'amount_out_of_bounds', details: { min: b.min, max: b.max, currency } },
  );
}

/**
 * A partner's per-customer daily limit (set by 0Bit admin, per currency): the sessions created today (UTC)
 * for the same `user_reference`, still open or completed, plus this one, may not exceed it. 422
 * `customer_daily_limit_exceeded` otherwise.
 */
export async function checkCustomerDailyLimit(
  db: Db,
  scope: Scope,
  limits: Record<string, string> | null,
  userReference: string | null | undefined,
  amount: string,
  currency: string,
): Promise<void> {
  const limit = limits?.[currency];
  if (!limit || !userReference) return;
  const used = await customerDailyTotal(db, scope, userReference, currency);
  const total = units(used, currency) + units(amount, currency);
  if (total <= units(limit, currency)) return;
  throw new AppError(
    'invalid_request',
    [
      `user_reference "${userReference}" has a daily limit of ${limit} ${currency}: ${used} ${currency} is already in sessions created today (UTC), so ${amount} ${currency} more would exceed it`,
    ],
    { code: 'customer_daily_limit_exceeded', details: { limit, used, currency } },
  );
}
