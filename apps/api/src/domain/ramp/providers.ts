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
 *
 * Money moves once (DESIGN.md): every call that moves money carries a `reference` that is an IDEMPOTENCY
 * KEY. The platform derives it from the widget intent and the step (`<intent id>:charge:<attempt>`,
 * `<intent id>:payout`, `<intent id>:send`) and claims the step in the database before calling. A provider
 * must treat a second call with a reference it has seen as a replay: answer the first result and move no
 * money. After a crash the platform's recovery pass asks the provider what became of a reference
 * (`lookup`, `findSend`, `findPayout`); null means the call never reached the provider.
 */
export type ChargeResult =
  | { outcome: 'succeeded'; reference: string }
  | { outcome: 'requires_3ds' }
  | { outcome: 'declined'; reason: string };

export interface CardRail {
  /**
   * Charges a card; a `three_ds_code` answers a challenge the previous attempt raised. `reference` is the
   * idempotency key: a repeated reference answers the first result without charging again.
   */
  charge(input: {
    number: string;
    amount: string;
    currency: string;
    threeDsCode?: string | undefined;
    reference: string;
  }): Promise<ChargeResult>;
  /** What a charge with this reference came to, or null if no charge with it reached the rail. */
  lookup(reference: string): Promise<ChargeResult | null>;
}

/**
 * A verification's outcome: verified; rejected (the person may not use the ramp); or held for a manual
 * review (not verified yet: the session cannot be paid until a later verification passes).
 */
export type KycResult =
  | { verified: true }
  | { verified: false; outcome: 'rejected' | 'review'; reason: string };

export interface KycProvider {
  verify(person: {
    firstName: string;
    lastName: string;
    dateOfBirth: string;
    country: string;
  }): Promise<KycResult>;
}

/** What a screening looks at: a crypto wallet on a network, or a bank account (IBAN). */
export type ScreenedParty =
  | { kind: 'wallet'; network: string; address: string }
  | { kind: 'iban'; iban: string };

/**
 * Sanctions screening (0Bit owns AML and sanctions screening on every tier): every wallet and IBAN money
 * would move to or come from is screened before an intent is confirmed. A live deployment implements this
 * against a screening vendor (a sanctions list and chain analytics); test mode flags the documented
 * addresses of SANCTIONED_TEST_PARTIES (docs/sandbox.md).
 */
export interface SanctionsScreening {
  screen(party: ScreenedParty): Promise<{ flagged: false } | { flagged: true; reason: string }>;
}

/** A deposit seen on chain at an address the platform issued (sell, swap). */
export interface Deposit {
  /** What arrived, as a decimal string in the token's units. */
  amount: string;
  token: string;
  network: string;
  /** The deposit's transaction hash. */
  txid: string;
  /** The wallet it came from, when the provider knows it (screened like every party). */
  from?: string | undefined;
}

export interface Settlement {
  /**
   * The deposit received at an address issued by `depositAddress` for `reference` (the intent), in the
   * given token and network, or null if none has arrived (or it is not yet final). A live provider answers
   * from the chain or its desk; the platform pays out a sell or sends a swap only after this finds a
   * deposit of at least the quoted amount — the user's "I have sent it" is never enough.
   */
  findDeposit(input: {
    address: string;
    token: string;
    network: string;
    reference: string;
  }): Promise<Deposit | null>;
  /**
   * Sandbox only (test mode): records a simulated deposit to an issued address, as if the chain had seen
   * it. A live provider does not implement it; asking for a simulated deposit in live mode is refused.
   */
  simulateDeposit?(input: {
    address: string;
    token: string;
    network: string;
    amount: string;
  }): Promise<Deposit>;
  /**
   * Sends crypto; returns the transaction hash. `reference` is the idempotency key: a repeated reference
   * answers the first transaction's hash without sending again.
   */
  sendCrypto(input: {
    token: string;
    network: string;
    address: string;
    amount: string;
    reference: string;
  }): Promise<string>;
  /** The hash of the send made with this reference, or null if none reached the provider. */
  findSend(reference: string): Promise<string | null>;
  /** A deposit address reserved for one intent (sell, swap). */
  depositAddress(token: string, network: string, reference: string): string;
  /**
   * Pays fiat out to a bank account; returns the payout reference. `reference` is the idempotency key: a
   * repeated reference answers the first payout without paying again.
   */
  payFiat(input: { iban: string; amount: string; currency: string; reference: string }): Promise<string>;
  /** The payout made with this reference, or null if none reached the provider. */
  findPayout(reference: string): Promise<string | null>;
}

export interface RampProviders {
  cards: CardRail;
  kyc: KycProvider;
  sanctions: SanctionsScreening;
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

/**
 * Results by idempotency key, as a provider keeps them. Bounded (oldest forgotten first) because test mode
 * runs in the production process; a reference reused with other details is refused, as providers do.
 */
class IdempotencyStore<T> {
  private readonly entries = new Map<string, { fingerprint: string; result: Promise<T> }>();

  constructor(private readonly capacity: number) {}

  once(reference: string, fingerprint: string, work: () => Promise<T>): Promise<T> {
    if (!reference)
      return Promise.reject(new Error('sandbox provider: a reference (idempotency key) is required'));
    const seen = this.entries.get(reference);
    if (seen) {
      if (seen.fingerprint !== fingerprint)
        return Promise.reject(
          new Error(`sandbox provider: reference ${reference} was already used with other details`),
        );
      return seen.result;
    }
    // Stored before it settles, so a concurrent replay waits for the first call instead of moving money.
    const result = work();
    this.entries.set(reference, { fingerprint, result });
    // A call that failed moved nothing: let its retry through.
    result.catch(() => this.entries.delete(reference));
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return result;
  }

  async find(reference: string): Promise<T | null> {
    const seen = this.entries.get(reference);
    return seen ? seen.result : null;
  }
}

/** Keeps the last `capacity` entries of a ledger list. */
function record<T>(list: T[], entry: T, capacity: number): void {
  list.push(entry);
  if (list.length > capacity) list.splice(0, list.length - capacity);
}

const SANDBOX_CAPACITY = 100_000;

export class SandboxCardRail implements CardRail {
  private readonly seen = new IdempotencyStore<ChargeResult>(SANDBOX_CAPACITY);

  constructor(private readonly ledger: SandboxLedger) {}

  charge(input: Parameters<CardRail['charge']>[0]): Promise<ChargeResult> {
    const fingerprint = JSON.stringify([
      input.number,
      input.amount,
      input.currency,
      input.threeDsCode ?? null,
    ]);
    return this.seen.once(input.reference, fingerprint, async () => this.decide(input));
  }

  lookup(reference: string): Promise<ChargeResult | null> {
    return this.seen.find(reference);
  }

  private decide(input: Parameters<CardRail['charge']>[0]): ChargeResult {
    const { number, threeDsCode } = input;
    const succeed = (): ChargeResult => {
      const reference = `ch_${digest(`charge:${input.reference}`).slice(0, 24)}`;
      record(
        this.ledger.charges,
        { reference: input.reference, number, amount: input.amount, currency: input.currency },
        SANDBOX_CAPACITY,
      );
      return { outcome: 'succeeded', reference };
    };
    if (number === TEST_CARDS.success) return succeed();
    if (number === TEST_CARDS.threeDs) {
      if (threeDsCode === undefined) return { outcome: 'requires_3ds' };
      return threeDsCode === TEST_THREE_DS_CODE
        ? succeed()
        : { outcome: 'declined', reason: 'three_ds_failed' };
    }
    if (number === TEST_CARDS.insufficientFunds) return { outcome: 'declined', reason: 'insufficient_funds' };
    return { outcome: 'declined', reason: 'card_declined' };
  }
}

/**
 * Simulated KYC (docs/sandbox.md): everyone passes, except a last name of "Reject" (rejected) or "Review"
 * (held for manual review), to exercise those paths.
 */
export const sandboxKyc: KycProvider = {
  async verify(person) {
    const last = person.lastName.trim().toLowerCase();
    if (last === 'reject')
      return {
        verified: false,
        outcome: 'rejected',
        reason: 'Identity could not be verified (sandbox: last name "Reject")',
      };
    if (last === 'review')
      return {
        verified: false,
        outcome: 'review',
        reason: 'Identity is held for manual review (sandbox: last name "Review")',
      };
    return { verified: true };
  },
};

/** Documented sandbox parties that screening flags (docs/sandbox.md), one per address format and an IBAN. */
export const SANCTIONED_TEST_PARTIES = {
  evm: '0x8576aCC5C05D6Ce88f4e49bf65BdF0C62F91353C',
  tron: 'TU6xLn5AMwkyWquMDA2bLEvDJHhfutF9EC',
  bitcoin: 'bc1qcm544te9q283jymvme60pwungr0kqukpwwcgwt',
  solana: 'EPU72GXXLHUANF5HhhBPV2oRdGvPhxPtfv3LzybrqhUi',
  iban: 'GB33BUKB20201555555555',
} as const;

/** Simulated screening: the documented SANCTIONED_TEST_PARTIES are flagged, everything else is clear. */
export const sandboxSanctions: SanctionsScreening = {
  async screen(party) {
    const value = party.kind === 'iban' ? party.iban : party.address;
    const listed = Object.values(SANCTIONED_TEST_PARTIES).some(
      (v) => v.toLowerCase() === value.toLowerCase(),
    );
    return listed
      ? {
          flagged: true,
          reason: `${party.kind === 'iban' ? 'IBAN' : 'wallet'} matched a sanctions list (sandbox test party)`,
        }
      : { flagged: false };
  },
};

export class SandboxSettlement implements Settlement {
  private readonly sent = new IdempotencyStore<string>(SANDBOX_CAPACITY);
  private readonly paid = new IdempotencyStore<string>(SANDBOX_CAPACITY);

  constructor(private readonly ledger: SandboxLedger) {}

  sendCrypto({ reference, token, network, address, amount }: Parameters<Settlement['sendCrypto']>[0]) {
    return this.sent.once(reference, JSON.stringify([token, network, address, amount]), async () => {
      const hash = `0x${digest(`send:${reference}:${address}:${amount}`)}`;
      record(this.ledger.sends, { reference, address, amount, hash }, SANDBOX_CAPACITY);
      return hash;
    });
  }

  findSend(reference: string) {
    return this.sent.find(reference);
  }

  depositAddress(_token: string, network: string, reference: string) {
    return sandboxDepositAddress(network, reference);
  }

  payFiat({ reference, iban, amount, currency }: Parameters<Settlement['payFiat']>[0]) {
    return this.paid.once(reference, JSON.stringify([iban, amount, currency]), async () => {
      const payout = `po_${digest(`payout:${reference}:${iban}`).slice(0, 24)}`;
      record(this.ledger.payouts, { reference, iban, amount, payout }, SANDBOX_CAPACITY);
      return payout;
    });
  }

  findPayout(reference: string) {
    return this.paid.find(reference);
  }

  /** Simulated deposits by address (bounded: test mode runs in the production process). */
  private readonly deposits = new Map<string, Deposit>();

  async findDeposit({ address, token, network }: Parameters<Settlement['findDeposit']>[0]) {
    const deposit = this.deposits.get(address);
    return deposit && deposit.token === token && deposit.network === network ? deposit : null;
  }

  async simulateDeposit({
    address,
    token,
    network,
    amount,
  }: Parameters<NonNullable<Settlement['simulateDeposit']>>[0]) {
    const deposit = this.deposits.get(address) ?? {
      amount,
      token,
      network,
      txid: `0x${digest(`deposit:${address}:${token}:${network}:${amount}`)}`,
    };
    this.deposits.set(address, deposit);
    if (this.deposits.size > SANDBOX_CAPACITY) this.deposits.delete(this.deposits.keys().next().value!);
    return deposit;
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
    sanctions: sandboxSanctions,
    settlement: new SandboxSettlement(ledger),
    prices: new SandboxPriceFeed(),
    ledger,
  };
}

export const SANDBOX_RAMP: RampProviders = createSandboxRamp();

/** Per mode: test always simulated; live only when an operator wires real providers. */
export type RampProvidersByMode = { test: RampProviders; live: RampProviders | null };
export const DEFAULT_RAMP_PROVIDERS: RampProvidersByMode = { test: SANDBOX_RAMP, live: null };
