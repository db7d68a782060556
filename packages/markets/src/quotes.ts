import { type Currency, findCurrency } from './catalog.ts';
import { fromUnits, mulDiv, toUnits } from './decimal.ts';
import type { PriceFeed } from './prices.ts';

export type RateType = 'float' | 'fixed';
export type Direction = 'from' | 'to';

/** The engine's own spread; a fixed rate costs more because the engine carries the price risk until expiry. */
export const SERVICE_FEE_BPS: Record<RateType, number> = { float: 50, fixed: 100 };
export const MAX_MARKUP_BPS = 500;

export interface QuoteRequest {
  type: RateType;
  fromCcy: string;
  toCcy: string;
  /** Which side `amount` is: what the user sends ("from") or what they receive ("to"). */
  direction: Direction;
  amount: string;
  /** The partner's markup for the chosen reference code, in basis points. */
  markupBps: number;
}

export interface Quote {
  type: RateType;
  direction: Direction;
  from: { code: string; network: string; amount: string; min: string; max: string };
  to: { code: string; network: string; amount: string; networkFee: string };
  /** How much `to` one unit of `from` buys after the service fee and markup, before the network fee. */
  rate: string;
  serviceFeeBps: number;
  markupBps: number;
}

export type QuoteErrorKind = 'UNKNOWN_CURRENCY' | 'INVALID_AMOUNT' | 'AMOUNT_OUT_OF_RANGE';

export class QuoteError extends Error {
  constructor(
    readonly kind: QuoteErrorKind,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

const BPS = 10_000n;
const PRICE_DECIMALS = 8;
const RATE_DECIMALS = 12;

function currency(code: string, field: string): Currency {
  const found = typeof code === 'string' ? findCurrency(code) : null;
  if (!found)
    throw new QuoteError(
      'UNKNOWN_CURRENCY',
      `${field} "${code}" is not traded; see the currency catalogue (docs/exchange/currencies.md)`,
    );
  return found;
}

/** The feed's USD price of an asset in 10⁻⁸ units (exact integers from here on). */
export async function priceUnits(feed: PriceFeed, asset: string): Promise<bigint> {
  const units = toUnits(await feed.usdPrice(asset), PRICE_DECIMALS);
  if (units === null || units <= 0n)
    throw new Error(`price feed ${feed.name} gave no usable price for ${asset}`);
  return units;
}

/**
 * Prices one exchange exactly, in integers: the user's side is rounded in the engine's favour by at most one
 * minor unit (received amounts down, required deposits up), never by a float.
 */
export async function quote(request: QuoteRequest, feed: PriceFeed): Promise<Quote> {
  const from = currency(request.fromCcy, 'fromCcy');
  const to = currency(request.toCcy, 'toCcy');
  if (from.code === to.code) throw new QuoteError('UNKNOWN_CURRENCY', 'fromCcy and toCcy must differ');
  const side = request.direction === 'from' ? from : to;
  const amount = toUnits(request.amount, side.decimals);
  if (amount === null || amount <= 0n)
    throw new QuoteError(
      'INVALID_AMOUNT',
      `amount must be a positive decimal string with at most ${side.decimals} decimals for ${side.code} (got "${request.amount}")`,
    );
  const serviceFeeBps = SERVICE_FEE_BPS[request.type];
  const keptBps = BPS - BigInt(serviceFeeBps + request.markupBps);
  const [fromPrice, toPrice] = await Promise.all([priceUnits(feed, from.asset), priceUnits(feed, to.asset)]);
  // to-units per from-unit = fromPrice·kept·10^to.decimals / (toPrice·BPS·10^from.decimals)
  const numerator = fromPrice * keptBps * 10n ** BigInt(to.decimals);
  const denominator = toPrice * BPS * 10n ** BigInt(from.decimals);
  const fee = toUnits(to.networkFee, to.decimals)!;

  let fromAmount: bigint;
  let toAmount: bigint;
  if (request.direction === 'from') {
    fromAmount = amount;
    toAmount = mulDiv(fromAmount, numerator, denominator, 'down') - fee;
  } else {
    toAmount = amount;
    fromAmount = mulDiv(toAmount + fee, denominator, numerator, 'up');
  }
  const min = toUnits(from.minAmount, from.decimals)!;
  const max = toUnits(from.maxAmount, from.decimals)!;
  if (fromAmount < min || fromAmount > max || toAmount <= 0n)
    throw new QuoteError(
      'AMOUNT_OUT_OF_RANGE',
      `${from.code} sent must be from ${from.minAmount} to ${from.maxAmount} (this request sends ${fromUnits(fromAmount, from.decimals)})`,
      { min: from.minAmount, max: from.maxAmount },
    );
  const rate = mulDiv(fromPrice * keptBps, 10n ** BigInt(RATE_DECIMALS), toPrice * BPS, 'down');
  return {
    type: request.type,
    direction: request.direction,
    from: {
      code: from.code,
      network: from.network,
      amount: fromUnits(fromAmount, from.decimals),
      min: from.minAmount,
      max: from.maxAmount,
    },
    to: {
      code: to.code,
      network: to.network,
      amount: fromUnits(toAmount, to.decimals),
      networkFee: to.networkFee,
    },
    rate: fromUnits(rate, RATE_DECIMALS),
    serviceFeeBps,
    markupBps: request.markupBps,
  };
}
