import type { Flow } from '@0bit/core/flow';
import type { Mode } from '@0bit/core/scope';
import type { WidgetIntentRow } from '../../store/widget-intents.ts';

/** One fee of a payment, in the currency (fiat or token) it is charged in. */
export interface TransactionFee {
  type: 'processing' | 'network';
  amount: string;
  currency: string;
}

/**
 * What the session's payment is — or was — in fact (issue #15): the widget intent that paid it (else the one
 * open, else the last that failed), never the create-time pre-fill. On every gate_session.* webhook and on
 * retrieve and list, null until the widget has created an intent.
 */
export interface TransactionDetails {
  intent_id: string;
  status: WidgetIntentRow['status'];
  flow: Flow;
  /** What the customer pays (buy: fiat) or sends (sell, swap: crypto). */
  source_currency: string;
  source_network: string | null;
  source_amount: string | null;
  /** What the customer receives (buy, swap: crypto; sell: fiat). */
  destination_currency: string;
  destination_network: string | null;
  destination_amount: string;
  /** Fiat per one token (buy, sell), or destination per one source token (swap), before fees. */
  exchange_rate: string | null;
  fees: TransactionFee[];
  /** The wallet the crypto goes to (buy, swap), as the customer confirmed it. */
  wallet_address: string | null;
  /** The bank account a sell pays out to, masked (`DE89 •••• 3000`). */
  iban: string | null;
  payment_method: 'card' | 'crypto_deposit';
  /** Where the customer sends crypto (sell, swap), and the deposit's transaction once seen. */
  deposit_address: string | null;
  deposit_transaction_id: string | null;
  /** The settlement transaction (the session's tx_refid) and where to see it, once paid. */
  transaction_id: string | null;
  explorer_url: string | null;
  /** Why the payment failed (`card_declined`, `sanctions_screening`, …); null otherwise. */
  last_error: string | null;
}

/** Block explorers of each network's mainnet (live mode; sandbox hashes are simulated and have none). */
const EXPLORER: Record<string, string> = {
  bitcoin: 'https://mempool.space/tx/',
  ethereum: 'https://etherscan.io/tx/',
  arbitrum: 'https://arbiscan.io/tx/',
  optimism: 'https://optimistic.etherscan.io/tx/',
  base: 'https://basescan.org/tx/',
  polygon: 'https://polygonscan.com/tx/',
  tron: 'https://tronscan.org/#/transaction/',
  solana: 'https://solscan.io/tx/',
};

export const maskIban = (iban: string) => `${iban.slice(0, 4)} •••• ${iban.slice(-4)}`;

export function transactionDetails(row: WidgetIntentRow, mode: Mode): TransactionDetails {
  const fees: TransactionFee[] = [];
  if (row.processing_fee !== null)
    fees.push({ type: 'processing', amount: row.processing_fee, currency: row.fiat_currency });
  if (row.network_fee !== null && row.network_fee !== '0')
    fees.push({ type: 'network', amount: row.network_fee, currency: row.token });
  // The settlement transaction is on the intent's network (a buy's or swap's delivery, a sell's crypto leg).
  const explorer = mode === 'live' && row.tx_refid ? EXPLORER[row.network] : undefined;
  const common = {
    intent_id: row.id,
    status: row.status,
    flow: row.flow,
    fees,
    deposit_address: row.deposit_address,
    deposit_transaction_id: row.deposit_txid,
    transaction_id: row.tx_refid,
    explorer_url: explorer && row.tx_refid ? `${explorer}${row.tx_refid}` : null,
    last_error: row.status === 'failed' ? row.failure_reason : null,
  };
  if (row.flow === 'on_ramp')
    return {
      ...common,
      source_currency: row.fiat_currency,
      source_network: null,
      source_amount: row.fiat_amount,
      destination_currency: row.token,
      destination_network: row.network,
      destination_amount: row.crypto_amount,
      exchange_rate: row.rate,
      wallet_address: row.destination,
      iban: null,
      payment_method: 'card',
    };
  if (row.flow === 'off_ramp')
    return {
      ...common,
      source_currency: row.token,
      source_network: row.network,
      source_amount: row.crypto_amount,
      destination_currency: row.fiat_currency,
      destination_network: null,
      destination_amount: row.fiat_amount,
      exchange_rate: row.rate,
      wallet_address: null,
      iban: maskIban(row.destination),
      payment_method: 'crypto_deposit',
    };
  return {
    ...common,
    source_currency: row.source_token ?? row.token,
    source_network: row.source_network,
    source_amount: row.source_amount,
    destination_currency: row.token,
    destination_network: row.network,
    destination_amount: row.crypto_amount,
    exchange_rate: row.source_rate,
    wallet_address: row.destination,
    iban: null,
    payment_method: 'crypto_deposit',
  };
}

/** Which intent tells the session's story: the one that paid, else the open one, else the latest attempt. */
export function storyIntent(rows: WidgetIntentRow[]): WidgetIntentRow | null {
  const newestFirst = [...rows].sort((a, b) => +b.created_at - +a.created_at || (a.id < b.id ? 1 : -1));
  return (
    newestFirst.find((r) => r.status === 'succeeded') ??
    newestFirst.find((r) => r.status !== 'failed') ??
    newestFirst.find((r) => r.failure_reason !== 'superseded') ??
    newestFirst[0] ??
    null
  );
}
