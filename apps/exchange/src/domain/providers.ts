import { type Currency, type PriceFeed, SandboxPriceFeed, sandboxAddress, sandboxTxId } from '@0bit/markets';

/**
 * The idempotency key of one transfer: one payout and at most one refund per order, so the order id names
 * it. A template type so nothing can call the chain with an arbitrary (or missing) reference.
 */
export type TransferReference = `payout:${string}` | `refund:${string}`;

export interface TransferRequest {
  currency: Currency;
  to: string;
  amount: string;
  reference: TransferReference;
}

/** A transfer the chain made: what `send` answers and what `transfer` finds by reference. */
export interface Transfer {
  reference: TransferReference;
  currency: string;
  to: string;
  amount: string;
  txId: string;
}

/**
 * What touches real money sits behind these interfaces. The sandbox implements them with deterministic
 * simulators; live mode has none until an operator wires a real provider, and then refuses (code 11
 * UNAVAILABLE) instead of faking prices, addresses or payouts.
 */
export interface ChainGateway {
  /** A deposit address reserved for one order. */
  depositAddress(currency: Currency, orderId: string): string;
  /**
   * Sends funds at most once per `reference`, which an implementation MUST treat as an idempotency key
   * (a provider's client order id / idempotency header): a repeated call with the same reference and terms
   * answers the first transfer and moves nothing; with other terms it is refused (rejects), never sent.
   * Callers claim the transfer in the database before calling (exchange_payouts) and reuse the reference
   * for every retry and for recovery, so a lost answer or a crash can never pay twice.
   */
  send(request: TransferRequest): Promise<Transfer>;
  /**
   * The transfer made under `reference`, or null when the provider never received one: how the recovery
   * pass resolves a payout whose answer was lost (the process died between claim and record).
   */
  transfer(reference: TransferReference): Promise<Transfer | null>;
  /** The id of a deposit transaction seen for an order (the sandbox invents one). */
  depositTxId(currency: Currency, orderId: string): string;
}

/** A repeated reference with other terms: the provider refuses rather than send a second transfer. */
export class ReferenceReusedError extends Error {}

/**
 * The sandbox chain. It keeps a ledger by reference and enforces the contract — one transfer per reference,
 * the first answer for a repeat — so tests count transfers here as they would at a real provider. The
 * ledger is per process and bounded; a transaction id is derived from reference, address and amount, so an
 * instance that never saw (or forgot) a reference still answers the same id for it.
 */
export class SandboxChain implements ChainGateway {
  private readonly ledger = new Map<TransferReference, Transfer>();
  private readonly calls = new Map<TransferReference, number>();

  constructor(private readonly capacity = 100_000) {}

  depositAddress(currency: Currency, orderId: string): string {
    return sandboxAddress(currency, `deposit:${orderId}`);
  }

  depositTxId(currency: Currency, orderId: string): string {
    return sandboxTxId(currency, `deposit:${orderId}`);
  }

  async send({ currency, to, amount, reference }: TransferRequest): Promise<Transfer> {
    this.calls.set(reference, (this.calls.get(reference) ?? 0) + 1);
    if (this.calls.size > this.capacity) this.calls.delete(this.calls.keys().next().value!);
    // Check and record with no await in between: concurrent calls cannot both find the reference free.
    const first = this.ledger.get(reference);
    if (first) {
      if (first.currency !== currency.code || first.to !== to || first.amount !== amount)
        throw new ReferenceReusedError(
          `reference ${reference} already sent ${first.amount} ${first.currency} to ${first.to}; refusing other terms`,
        );
      return { ...first };
    }
    const transfer: Transfer = {
      reference,
      currency: currency.code,
      to,
      amount,
      txId: sandboxTxId(currency, `${reference}:${to}:${amount}`),
    };
    this.ledger.set(reference, transfer);
    if (this.ledger.size > this.capacity) this.ledger.delete(this.ledger.keys().next().value!);
    return { ...transfer };
  }

  async transfer(reference: TransferReference): Promise<Transfer | null> {
    const found = this.ledger.get(reference);
    return found ? { ...found } : null;
  }

  /** Test and operator insight: how often `send` was called for a reference, and what moved. */
  sendCalls(reference: TransferReference): number {
    return this.calls.get(reference) ?? 0;
  }

  transfers(): Transfer[] {
    return [...this.ledger.values()].map((t) => ({ ...t }));
  }
}

export interface Providers {
  prices: PriceFeed;
  chain: ChainGateway;
}

export const SANDBOX_PROVIDERS: Providers = { prices: new SandboxPriceFeed(), chain: new SandboxChain() };

/** Per mode: sandbox (test) always simulated; live only when configured. */
export type ProvidersByMode = { test: Providers; live: Providers | null };

export const DEFAULT_PROVIDERS: ProvidersByMode = { test: SANDBOX_PROVIDERS, live: null };
