/**
 * The currencies the engine trades (docs/exchange/currencies.md). `decimals` is the precision of amounts in
 * the API, `minAmount` / `maxAmount` bound what one order may send, `networkFee` is what a payout in this
 * currency costs on its chain (taken from the amount the user receives), `confirmations` how many blocks a
 * deposit needs before it is exchanged.
 */
export type Network = 'BTC' | 'ETH' | 'TRX' | 'SOL' | 'ARBITRUM';

export interface Currency {
  code: string;
  name: string;
  /** The asset priced by the feed (the same USDT on Tron and on Ethereum has one price). */
  asset: string;
  network: Network;
  /** The chain family whose address format applies. */
  addressFormat: 'bitcoin' | 'evm' | 'tron' | 'solana';
  decimals: number;
  confirmations: number;
  minAmount: string;
  maxAmount: string;
  networkFee: string;
}

export const CURRENCIES: readonly Currency[] = [
  {
    code: 'btc',
    asset: 'BTC',
    name: 'Bitcoin',
    network: 'BTC',
    addressFormat: 'bitcoin',
    decimals: 8,
    confirmations: 2,
    minAmount: '0.0005',
    maxAmount: '5',
    networkFee: '0.00002',
  },
  {
    code: 'eth',
    asset: 'ETH',
    name: 'Ether',
    network: 'ETH',
    addressFormat: 'evm',
    decimals: 8,
    confirmations: 12,
    minAmount: '0.01',
    maxAmount: '100',
    networkFee: '0.0006',
  },
  {
    code: 'usdt_trc20',
    asset: 'USDT',
    name: 'Tether USD (Tron)',
    network: 'TRX',
    addressFormat: 'tron',
    decimals: 6,
    confirmations: 19,
    minAmount: '10',
    maxAmount: '250000',
    networkFee: '1',
  },
  {
    code: 'usdt_erc20',
    asset: 'USDT',
    name: 'Tether USD (Ethereum)',
    network: 'ETH',
    addressFormat: 'evm',
    decimals: 6,
    confirmations: 12,
    minAmount: '25',
    maxAmount: '250000',
    networkFee: '4',
  },
  {
    code: 'usdc_arb',
    asset: 'USDC',
    name: 'USD Coin (Arbitrum One)',
    network: 'ARBITRUM',
    addressFormat: 'evm',
    decimals: 6,
    confirmations: 20,
    minAmount: '10',
    maxAmount: '250000',
    networkFee: '0.1',
  },
  {
    code: 'sol',
    asset: 'SOL',
    name: 'Solana',
    network: 'SOL',
    addressFormat: 'solana',
    decimals: 9,
    confirmations: 1,
    minAmount: '0.1',
    maxAmount: '2000',
    networkFee: '0.000005',
  },
];

const BY_CODE = new Map(CURRENCIES.map((c) => [c.code, c]));

/** Codes are case-insensitive on input ("BTC" = "btc"); null when the engine does not trade it. */
export function findCurrency(code: string): Currency | null {
  return BY_CODE.get(code.toLowerCase()) ?? null;
}
