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

export const sandboxCards: CardRail = {
  async charge({ number, threeDsCode }) {
    if (number === TEST_CARDS.success)
      return { outcome: 'succeeded', reference: `ch_${digest(number + Date.now()).slice(0, 24)}` };
    if (number === TEST_CARDS.threeDs) {
      if (threeDsCode === undefined) return { outcome: 'requires_3ds' };
      return threeDsCode === TEST_THREE_DS_CODE
        ? { outcome: 'succeeded', reference: `ch_${digest(number + Date.now()).slice(0, 24)}` }
        : { outcome: 'declined', reason: 'three_ds_failed' };
    }
    if (number === TEST_CARDS.insufficientFunds) return { outcome: 'declined', reason: 'insufficient_funds' };
    return { outcome: 'declined', reason: 'card_declined' };
  },
};

/** Simulated KYC: everyone passes, except a last name of "Reject" (to exercise the refusal path). */
export const sandboxKyc: KycProvider = {
  async verify(person) {
    return person.lastName.trim().toLowerCase() === 'reject'
      ? { verified: false, reason: 'Identity could not be verified (sandbox: last name "Reject")' }
      : { verified: true };
  },
};

export const sandboxSettlement: Settlement = {
  async sendCrypto({ reference, address, amount }) {
    return `0x${digest(`send:${reference}:${address}:${amount}`)}`;
  },
  depositAddress(_token, network, reference) {
    return sandboxDepositAddress(network, reference);
  },
  async payFiat({ reference, iban }) {
    return `po_${digest(`payout:${reference}:${iban}`).slice(0, 24)}`;
  },
};

/** A well-formed address nobody holds a key to, in the network's format. */
function sandboxDepositAddress(network: string, reference: string): string {
  const format = NETWORK_ADDRESS_FORMAT[network] ?? 'evm';
  const representative = { bitcoin: 'btc', evm: 'eth', tron: 'usdt_trc20', solana: 'sol' }[format];
  return sandboxAddress(findCurrency(representative)!, `gate:${reference}`);
}

export const SANDBOX_RAMP: RampProviders = {
  cards: sandboxCards,
  kyc: sandboxKyc,
  settlement: sandboxSettlement,
  prices: new SandboxPriceFeed(),
};

/** Per mode: test always simulated; live only when an operator wires real providers. */
export type RampProvidersByMode = { test: RampProviders; live: RampProviders | null };
export const DEFAULT_RAMP_PROVIDERS: RampProvidersByMode = { test: SANDBOX_RAMP, live: null };
