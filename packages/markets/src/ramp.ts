import type { Currency } from './catalog.ts';
import { CURRENCIES } from './catalog.ts';
import { fromUnits, fromUnitsFixed, mulDiv, toUnits } from './decimal.ts';
import type { PriceFeed } from './prices.ts';
import { priceUnits, QuoteError } from './quotes.ts';

/**
 * Fiat ⇄ crypto pricing for the 0Gate ramp, on the same feed and integer arithmetic as crypto swaps. Assets
 * are named the way 0Gate sessions name them: a token (`USDT`) on a network (`arbitrum`).
 */
export const NETWORK_ADDRESS_FORMAT: Record<string, Currency['addressFormat']> = {
  bitcoin: 'bitcoin',
  ethereum: 'evm',
  arbitrum: 'evm',
  optimism: 'evm',
  base: 'evm',
  polygon: 'evm',
  tron: 'tron',
  solana: 'solana',
};

export const TOKEN_DECIMALS: Record<string, number> = {
  BTC: 8,
  ETH: 8,
  USDT: 6,
  USDC: 6,
  SOL: 9,
  TRX: 6,
  POL: 8,
};

/** What delivering a token on a network costs, in that token (taken from what the user receives). */
const NETWORK_FEE: Record<string, Record<string, string>> = {
  bitcoin: { BTC: '0.00002' },
  ethereum: { ETH: '0.0006', USDT: '4', USDC: '4' },
  arbitrum: { ETH: '0.00002', USDT: '0.1', USDC: '0.1' },
  optimism: { ETH: '0.00002', USDT: '0.1', USDC: '0.1' },
  base: { ETH: '0.00002', USDC: '0.1' },
  polygon: { POL: '0.01', USDT: '0.05', USDC: '0.05' },
  tron: { TRX: '1', USDT: '1' },
  solana: { SOL: '0.000005', USDT: '0.01', USDC: '0.01' },
};

/**
 * The costliest delivery the fee model knows (the largest network fee of any priced token and network), in
 * USD at the given prices: what a session's amount must at least cover, whatever the customer picks.
 */
export function costliestNetworkFeeUsd(prices: Readonly<Record<string, string>>): number {
  let most = 0;
  for (const fees of Object.values(NETWORK_FEE))
    for (const [token, fee] of Object.entries(fees)) {
      const price = prices[token];
      if (price) most = Math.max(most, Number(fee) * Number(price));
    }
  return most;
}

/** Card processing on a buy, payout processing on a sell. */
export const RAMP_FEE_BPS = 150;

export function fiatDecimals(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

export interface RampQuote {
  flow: 'on_ramp' | 'off_ramp';
  fiat: { amount: string; currency: string };
  crypto: { token: string; network: string; amount: string };
  fees: { processing: string; network: string };
  /** Fiat per one token, before fees. */
  rate: string;
}

/**
 * on_ramp: the user pays `fiat` (fees included) and receives the crypto amount, rounded down.
 * off_ramp: the user receives `fiat` (fees deducted from the crypto side) and sends the crypto amount,
 * rounded up.
 */
export async function rampQuote(
  request: {
    flow: 'on_ramp' | 'off_ramp';
    fiat: { amount: string; currency: string };
    token: string;
    network: string;
  },
  feed: PriceFeed,
): Promise<RampQuote> {
  const fiatDigits = fiatDecimals(request.fiat.currency);
  const tokenDigits = TOKEN_DECIMALS[request.token];
  const networkFee = NETWORK_FEE[request.network]?.[request.token];
  if (tokenDigits === undefined || networkFee === undefined)
    throw new QuoteError('UNKNOWN_CURRENCY', `${request.token} on ${request.network} is not priced`);
  const fiat = toUnits(request.fiat.amount, fiatDigits);
  if (fiat === null || fiat <= 0n)
    throw new QuoteError(
      'INVALID_AMOUNT',
      `amount ${request.fiat.amount} is not a ${request.fiat.currency} amount`,
    );
  const [fiatPrice, tokenPrice] = await Promise.all([
    priceUnits(feed, request.fiat.currency),
    priceUnits(feed, request.token),
  ]);
  const processing = mulDiv(fiat, BigInt(RAMP_FEE_BPS), 10_000n, 'up');
  const fee = toUnits(networkFee, tokenDigits)!;
  // token units = fiat units · fiatPrice · 10^tokenDigits / (tokenPrice · 10^fiatDigits)
  const scale = (value: bigint, rounding: 'down' | 'up') =>
    mulDiv(value * fiatPrice, 10n ** BigInt(tokenDigits), tokenPrice * 10n ** BigInt(fiatDigits), rounding);
  const crypto =
    request.flow === 'on_ramp' ? scale(fiat - processing, 'down') - fee : scale(fiat + processing, 'up');
  if (crypto <= 0n)
    throw new QuoteError(
      'AMOUNT_OUT_OF_RANGE',
      `${request.fiat.amount} ${request.fiat.currency} does not cover the fees`,
    );
  const rate = mulDiv(tokenPrice, 10n ** BigInt(fiatDigits), fiatPrice, 'down');
  return {
    flow: request.flow,
    fiat: { amount: fromUnitsFixed(fiat, fiatDigits), currency: request.fiat.currency },
    crypto: { token: request.token, network: request.network, amount: fromUnits(crypto, tokenDigits) },
    fees: {
      processing: fromUnitsFixed(processing, fiatDigits),
      network: request.flow === 'on_ramp' ? networkFee : '0',
    },
    rate: fromUnitsFixed(rate, fiatDigits),
  };
}

/** The exchange's currency for a 0Gate token + network, when the swap engine trades it. */
export function swapCurrency(token: string, network: string): Currency | null {
  const format = NETWORK_ADDRESS_FORMAT[network];
  return (
    CURRENCIES.find(
      (c) =>
        c.asset === token &&
        c.addressFormat === format &&
        (c.network.toLowerCase() === network ||
          (network === 'ethereum' && c.network === 'ETH') ||
          (network === 'tron' && c.network === 'TRX') ||
          (network === 'solana' && c.network === 'SOL') ||
          (network === 'bitcoin' && c.network === 'BTC')),
    ) ?? null
  );
}
