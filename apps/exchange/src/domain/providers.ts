import { type Currency, type PriceFeed, SandboxPriceFeed, sandboxAddress, sandboxTxId } from '@0bit/markets';

/**
 * What touches real money sits behind these interfaces. The sandbox implements them with deterministic
 * simulators; live mode has none until an operator wires a real provider, and then refuses (code 11
 * UNAVAILABLE) instead of faking prices, addresses or payouts.
 */
export interface ChainGateway {
  /** A deposit address reserved for one order. */
  depositAddress(currency: Currency, orderId: string): string;
  /** Sends funds; returns the transaction id. */
  send(currency: Currency, to: string, amount: string, reference: string): Promise<string>;
  /** The id of a deposit transaction seen for an order (the sandbox invents one). */
  depositTxId(currency: Currency, orderId: string): string;
}

export interface Providers {
  prices: PriceFeed;
  chain: ChainGateway;
}

export const sandboxChain: ChainGateway = {
  depositAddress: (currency, orderId) => sandboxAddress(currency, `deposit:${orderId}`),
  send: async (currency, to, amount, reference) => sandboxTxId(currency, `${reference}:${to}:${amount}`),
  depositTxId: (currency, orderId) => sandboxTxId(currency, `deposit:${orderId}`),
};

export const SANDBOX_PROVIDERS: Providers = { prices: new SandboxPriceFeed(), chain: sandboxChain };

/** Per mode: sandbox (test) always simulated; live only when configured. */
export type ProvidersByMode = { test: Providers; live: Providers | null };

export const DEFAULT_PROVIDERS: ProvidersByMode = { test: SANDBOX_PROVIDERS, live: null };
