import {
  DEFAULT_RAMP_PROVIDERS,
  type RampProviders,
  type RampProvidersByMode,
} from '@0bit/api/domain/ramp/providers';
import { tracedProvider } from '@0bit/core/tracing';
import { DEFAULT_PROVIDERS, type Providers, type ProvidersByMode } from '@0bit/exchange/domain/providers';

/**
 * The outside edge (card rail, KYC, sanctions screening, settlement, chain, prices) per mode. With tracing on each call is a
 * span `provider <name>.<method>` (@0bit/core/tracing); with tracing off these are the providers as they are.
 */
const tracedRamp = (p: RampProviders): RampProviders => ({
  cards: tracedProvider('card_rail', p.cards),
  kyc: tracedProvider('kyc', p.kyc),
  sanctions: tracedProvider('sanctions', p.sanctions),
  settlement: tracedProvider('settlement', p.settlement),
  prices: tracedProvider('prices', p.prices),
});

const tracedExchange = (p: Providers): Providers => ({
  prices: tracedProvider('prices', p.prices),
  chain: tracedProvider('chain', p.chain),
});

export const rampProviders = (byMode: RampProvidersByMode = DEFAULT_RAMP_PROVIDERS): RampProvidersByMode => ({
  test: tracedRamp(byMode.test),
  live: byMode.live && tracedRamp(byMode.live),
});

export const exchangeProviders = (byMode: ProvidersByMode = DEFAULT_PROVIDERS): ProvidersByMode => ({
  test: tracedExchange(byMode.test),
  live: byMode.live && tracedExchange(byMode.live),
});
