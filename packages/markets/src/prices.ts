import type { Currency } from './catalog.ts';

/**
 * Where USD prices come from. A live provider (an exchange's order book, an aggregator) implements this;
 * prices are decimal strings with at most 8 fractional digits.
 */
export interface PriceFeed {
  readonly name: string;
  usdPrice(currency: Currency): Promise<string>;
}

/** Fixed, round prices: the same quote every time, so sandbox tests and docs can state exact amounts. */
export const SANDBOX_PRICES: Readonly<Record<string, string>> = {
  btc: '60000',
  eth: '3000',
  usdt_trc20: '1',
  usdt_erc20: '1',
  usdc_arb: '1',
  sol: '150',
};

export class SandboxPriceFeed implements PriceFeed {
  readonly name = 'sandbox';

  async usdPrice(currency: Currency): Promise<string> {
    const price = SANDBOX_PRICES[currency.code];
    if (!price) throw new Error(`the sandbox feed has no price for ${currency.code}`);
    return price;
  }
}
