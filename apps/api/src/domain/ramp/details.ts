import type { Mode } from '@0bit/core/scope';
import type { WidgetIntentRow } from '../../store/widget-intents.ts';
import type { TransactionDetails, TransactionFee } from '../shapes.ts';

export type { TransactionDetails } from '../shapes.ts';

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
