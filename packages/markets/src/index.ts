export {
  ADDRESS_HINTS,
  evmChecksum,
  isValidAddress,
  isValidAddressFormat,
  sandboxAddress,
  sandboxTxId,
} from './addresses.ts';
export { CURRENCIES, type Currency, findCurrency, type Network } from './catalog.ts';
export { fromUnits, fromUnitsFixed, mulDiv, toUnits } from './decimal.ts';
export { type PriceFeed, SANDBOX_PRICES, SandboxPriceFeed } from './prices.ts';
export {
  type Direction,
  MAX_MARKUP_BPS,
  type Quote,
  QuoteError,
  type QuoteErrorKind,
  type QuoteRequest,
  quote,
  type RateType,
  SERVICE_FEE_BPS,
} from './quotes.ts';
export {
  costliestNetworkFeeUsd,
  fiatDecimals,
  NETWORK_ADDRESS_FORMAT,
  RAMP_FEE_BPS,
  type RampQuote,
  rampQuote,
  swapCurrency,
  TOKEN_DECIMALS,
} from './ramp.ts';
