/**
 * Where USD prices come from, for crypto assets (BTC, USDT, …) and fiat currencies (EUR, GBP, …) alike. A
 * live provider (an exchange's order book, an aggregator, an FX feed) implements this; prices are decimal
 * strings with at most 8 fractional digits.
 */
export interface PriceFeed {
  readonly name: string;
  /** USD per one unit of `asset` (upper-case symbol). */
  usdPrice(asset: string): Promise<string>;
}

/** Fixed, round prices: the same quote every time, so sandbox tests and docs can state exact amounts. */
export const SANDBOX_PRICES: Readonly<Record<string, string>> = {
  BTC: '60000',
  ETH: '3000',
  USDT: '1',
  USDC: '1',
  SOL: '150',
  TRX: '0.25',
  POL: '0.5',
  USD: '1',
  EUR: '1.08',
  GBP: '1.27',
  CHF: '1.12',
};

export class SandboxPriceFeed implements PriceFeed {
  readonly name = 'sandbox';

  async usdPrice(asset: string): Promise<string> {
    const price = SANDBOX_PRICES[asset];
    if (!price) throw new Error(`the sandbox feed has no price for ${asset}`);
    return price;
  }
}
