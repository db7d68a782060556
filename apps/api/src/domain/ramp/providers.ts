import { createHash } from 'node:crypto';
import {
  findCurrency,
  NETWORK_ADDRESS_FORMAT,
  type PriceFeed,
  SandboxPriceFeed,
  sandboxAddress,
} from '@0bit/markets';

/**
 * The outside edge of the ramp. A live deployment implements these against a card acquirer, a KYC vendor
 * and a settlement desk; test mode uses the deterministic simulators below. With no live provider
 * configured, live sessions answer 503 and the widget shows "unavailable" — money is never faked.
 */
export interface CardRail {
  /** Charges a card; a `three_ds_code` answers a challenge the previous attempt raised. */
  charge(input: {
    number: string;
    amount: string;
    currency: string;
    threeDsCode?: string | undefined;
  }): Promise<
    | { outcome: 'succeeded'; reference: string }
    | { outcome: 'requires_3ds' }
    | { outcome: 'declined'; reason: string }
  >;
}

export interface KycProvider {
  verify(person: {
    firstName: string;
    lastName: string;
    dateOfBirth: string;
    country: string;
  }): Promise<{ verified: true } | { verified: false; reason: string }>;
}

export interface Settlement {
  /** Sends crypto; returns the transaction hash. */
  sendCrypto(input: {
    token: string;
    network: string;
    address: string;
    amount: string;
    reference: string;
  }): Promise<string>;
  /** A deposit address reserved for one intent (sell, swap). */
  depositAddress(token: string, network: string, reference: string): string;
  /** Pays fiat out to a bank account; returns the payout reference. */
  payFiat(input: { iban: string; amount: string; currency: string; reference: string }): Promise<string>;
}

export interface RampProviders {
  cards: CardRail;
  kyc: KycProvider;
  settlement: Settlement;
  prices: PriceFeed;
}

/** Documented test cards (docs/widget-api.md). Any other well-formed card number is declined. */
export const TEST_CARDS = {
  success: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  threeDs: '4000000000003220',
} as const;
export const TEST_THREE_DS_CODE = '123456';

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a sandbox provider has actually done (charges made, crypto sent, fiat paid out), for tests to count. */
export interface SandboxLedger {
  charges: Array<{ reference: string; number: string; amount: string; currency: string }>;
  sends: Array<{ reference: string; address: string; amount: string; hash: string }>;
  payouts: Array<{ reference: string; iban: string; amount: string; payout: string }>;
}

export class SandboxCardRail implements CardRail {
  constructor(private readonly ledger: SandboxLedger) {}

  async charge(input: Parameters<CardRail['charge']>[0]) {
    const { number, threeDsCode } = input;
    const succeed = () => {
      const reference = `ch_${digest(number + Date.now() + Math.random()).slice(0, 24)}`;
      this.ledger.charges.push({
        reference,
        number,
        amount: input.amount,
        currency: input.currency,
      });
      return { outcome: 'succeeded' as const, reference };
    };
    if (number === TEST_CARDS.success) return succeed();
    if (number === TEST_CARDS.threeDs) {
      if (threeDsCode === undefined) return { outcome: 'requires_3ds' as const };
      return threeDsCode === TEST_THREE_DS_CODE
        ? succeed()
        : { outcome: 'declined' as const, reason: 'three_ds_failed' };
    }
    if (number === TEST_CARDS.insufficientFunds)
      return { outcome: 'declined' as const, reason: 'insufficient_funds' };
    return { outcome: 'declined' as const, reason: 'card_declined' };
  }
}

/** Simulated KYC: everyone passes, except a last name of "Reject" (to exercise the refusal path). */
export const sandboxKyc: KycProvider = {
  async verify(person) {
    return person.lastName.trim().toLowerCase() === 'reject'
      ? { verified: false, reason: 'Identity could not be verified (sandbox: last name "Reject")' }
      : { verified: true };
  },
};

export class SandboxSettlement implements Settlement {
  constructor(private readonly ledger: SandboxLedger) {}

  async sendCrypto({ reference, address, amount }: Parameters<Settlement['sendCrypto']>[0]) {
    const hash = `0x${digest(`send:${reference}:${address}:${amount}`)}`;
    this.ledger.sends.push({ reference, address, amount, hash });
    return hash;
  }

  depositAddress(_token: string, network: string, reference: string) {
    return sandboxDepositAddress(network, reference);
  }

  async payFiat({ reference, iban, amount }: Parameters<Settlement['payFiat']>[0]) {
    const payout = `po_${digest(`payout:${reference}:${iban}`).slice(0, 24)}`;
    this.ledger.payouts.push({ reference, iban, amount, payout });
    return payout;
  }
}

/** A well-formed address nobody holds a key to, in the network's format. */
function sandboxDepositAddress(network: string, reference: string): string {
  const format = NETWORK_ADDRESS_FORMAT[network] ?? 'evm';
  const representative = { bitcoin: 'btc', evm: 'eth', tron: 'usdt_trc20', solana: 'sol' }[format];
  return sandboxAddress(findCurrency(representative)!, `gate:${reference}`);
}

/** A sandbox of its own (tests count what it did in `ledger`); the platform's test mode uses SANDBOX_RAMP. */
export function createSandboxRamp(): RampProviders & { ledger: SandboxLedger } {
  const ledger: SandboxLedger = { charges: [], sends: [], payouts: [] };
  return {
    cards: new SandboxCardRail(ledger),
    kyc: sandboxKyc,
    settlement: new SandboxSettlement(ledger),
    prices: new SandboxPriceFeed(),
    ledger,
  };
}

export const SANDBOX_RAMP: RampProviders = createSandboxRamp();

/** Per mode: test always simulated; live only when an operator wires real providers. */
export type RampProvidersByMode = { test: RampProviders; live: RampProviders | null };
export const DEFAULT_RAMP_PROVIDERS: RampProvidersByMode = { test: SANDBOX_RAMP, live: null };
