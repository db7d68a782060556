import {
  ConflictError,
  NotFoundError,
  PermissionError,
  ServiceUnavailableError,
  ValidationError,
} from '@0bit/core/errors';
import type { Flow } from '@0bit/core/flow';
import { newObjectId } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import { type Db, inTransaction } from '@0bit/db/connection';
import { isUniqueViolation } from '@0bit/db/errors';
import type { IntentPhase } from '@0bit/db/schema';
import {
  ADDRESS_HINTS,
  isValidAddressFormat,
  NETWORK_ADDRESS_FORMAT,
  QuoteError,
  quote,
  rampQuote,
  swapCurrency,
  toUnits,
} from '@0bit/markets';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { findSession, lockSession } from '../../store/sessions.ts';
import {
  claimKycRequiredNotice,
  clearKycVerified,
  findActiveIntent,
  findActiveIntentForUpdate,
  findInFlightIntents,
  findWidgetIntent,
  findWidgetIntentById,
  insertWidgetIntent,
  kycVerifiedAt,
  leaseInFlightIntent,
  markKycVerified,
  updateWidgetIntent,
  type WidgetIntentRow,
} from '../../store/widget-intents.ts';
import type { EmbedClaims } from '../embed-token.ts';
import { appendEvent } from '../events.ts';
import { signedRedirect } from '../redirects.ts';
import {
  cancelSession,
  completeSession,
  reportPaymentFailure,
  retrieveSession,
  toGateSession,
} from '../sessions.ts';
import type { ConfirmInput, GateSession, IntentInput, KycInput, QuoteInput } from '../shapes.ts';
import type { Deposit, RampProviders, RampProvidersByMode, ScreenedParty } from './providers.ts';

export interface WidgetDeps {
  db: Db;
  providers: RampProvidersByMode;
  /** Opens the partner's webhook secret, which signs the return and cancel redirects. */
  box: SecretBox;
}

/** What moving money needs (the recovery pass has no redirect to sign). */
type MoneyDeps = Omit<WidgetDeps, 'box'>;

interface Context {
  scope: Scope;
  session: GateSession;
  providers: RampProviders;
}

/** The session behind a session-bound embed token, and the providers of its mode (live may have none). */
async function contextOf(deps: WidgetDeps, claims: EmbedClaims): Promise<Context> {
  if (!claims.session_id)
    throw new ConflictError('This embed token is not bound to a session; bootstrap with a clientSecret');
  const scope = { partnerId: claims.partner_id, mode: claims.mode };
  const providers = deps.providers[claims.mode];
  if (!providers)
    throw new ServiceUnavailableError(
      'Live payments are unavailable: no payment provider is configured for this platform. No money was moved.',
    );
  return { scope, session: await retrieveSession(deps.db, scope, claims.session_id), providers };
}

/** The flow in effect: the session's lock, else what the widget's tab asks for. */
function flowOf(session: GateSession, requested: Flow | undefined): Flow {
  if (session.flow && requested && requested !== session.flow)
    throw new PermissionError(
      `This session is locked to ${session.flow}; ${requested} is not available in it`,
      'flow_locked',
    );
  return session.flow ?? requested ?? 'on_ramp';
}

/** The asset delivered: the session's target, else what the widget chose, else USDT on Ethereum. */
function targetOf(
  session: GateSession,
  requested: { token?: string | undefined; network?: string | undefined },
) {
  return {
    token: session.target_token ?? requested.token ?? 'USDT',
    network: session.target_network ?? requested.network ?? 'ethereum',
  };
}

function checkAddress(network: string, address: string, field: string): void {
  const format = NETWORK_ADDRESS_FORMAT[network];
  if (!format || !isValidAddressFormat(format, address))
    throw new ValidationError([
      `${field} is not a valid ${network} address: expected ${format ? ADDRESS_HINTS[format] : 'a supported network'}`,
    ]);
}

/** The engine's refusals (unknown asset, amount that does not cover the fees…) are the user's to fix: 422. */
function priced<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof QuoteError) throw new ValidationError([error.message]);
    throw error;
  });
}

/** The session's allow-lists of destination tokens and networks hold (403 destination_not_allowed). */
function checkAllowed(session: GateSession, token: string, network: string): void {
  const tokenOk = !session.destination_tokens || session.destination_tokens.includes(token);
  const networkOk = !session.destination_networks || session.destination_networks.includes(network);
  if (!tokenOk || !networkOk)
    throw new PermissionError(
      `${token} on ${network} is not allowed in this session (tokens: ${session.destination_tokens?.join(', ') ?? 'any'}; networks: ${session.destination_networks?.join(', ') ?? 'any'})`,
      'destination_not_allowed',
    );
}

/** A locked wallet (lock_wallet_address) is the only one a buy or swap pays to (403 wallet_locked). */
function checkWalletLock(session: GateSession, flow: Flow, wallet: string): void {
  if (flow === 'off_ramp' || !session.lock_wallet_address || wallet === session.wallet_address) return;
  throw new PermissionError(
    'This session locks its wallet_address; the crypto can only go to the wallet the partner set',
    'wallet_locked',
  );
}

async function price(context: Context, input: QuoteInput) {
  const { session, providers } = context;
  const flow = flowOf(session, input.flow);
  const target = targetOf(session, input);
  checkAllowed(session, target.token, target.network);
  const fiat = { amount: session.amount, currency: session.currency };
  if (flow !== 'swap') {
    const q = await priced(() => rampQuote({ flow, fiat, ...target }, providers.prices));
    return { flow, quote: q, source: null };
  }
  const from = swapCurrency(input.from_token ?? 'USDT', input.from_network ?? 'tron');
  const to = swapCurrency(target.token, target.network);
  if (!from || !to)
    throw new ValidationError([
      `swap supports BTC (bitcoin), ETH (ethereum), USDT (tron, ethereum), USDC (arbitrum) and SOL (solana); ${!from ? `${input.from_token} on ${input.from_network}` : `${target.token} on ${target.network}`} is not one of them`,
    ]);
  // The session's amount is the value swapped: price what `from` the user sends for that value in `to`.
  const value = await priced(() => rampQuote({ flow: 'on_ramp', fiat, ...target }, providers.prices));
  const swap = await priced(() =>
    quote(
      {
        type: 'float',
        fromCcy: from.code,
        toCcy: to.code,
        direction: 'to',
        amount: value.crypto.amount,
        markupBps: 0,
      },
      providers.prices,
    ),
  );
  return {
    flow,
    quote: { ...value, crypto: { ...value.crypto, amount: swap.to.amount } },
    source: {
      token: from.asset,
      network: input.from_network ?? 'tron',
      amount: swap.from.amount,
      rate: swap.rate,
    },
  };
}

export async function widgetQuote(deps: WidgetDeps, claims: EmbedClaims, input: QuoteInput) {
  const context = await contextOf(deps, claims);
  const { flow, quote: q, source } = await price(context, input);
  const kycRequired = !(await kycDone(deps.db, context.session));
  // The widget now shows its verification step: the partner hears of it (once per session).
  if (kycRequired) await notifyKyc(deps.db, context, 'verification_required', null);
  return {
    object: 'widget_quote' as const,
    flow,
    amount: q.fiat.amount,
    currency: q.fiat.currency,
    crypto: q.crypto,
    fees: q.fees,
    rate: q.rate,
    source,
    kyc_required: kycRequired,
  };
}

/** Whether the session's customer may pay: verified in the widget, or pre-verified by a trusted partner. */
async function kycDone(db: Db, session: GateSession): Promise<boolean> {
  return session.kyc_pre_verified || (await kycVerifiedAt(db, session.id)) !== null;
}

export type KycRequiredReason = 'verification_required' | 'kyc_rejected' | 'kyc_review';

/**
 * `kyc.required` through the outbox: the customer must verify before the session can be paid (emitted once
 * per session, the first time the widget or a confirm finds them unverified), or a verification was
 * rejected or held for review (each time, with the provider's reason as `failure_reason`).
 */
async function notifyKyc(
  db: Db,
  context: Context,
  reason: KycRequiredReason,
  failureReason: string | null,
): Promise<void> {
  const { scope, session } = context;
  await inTransaction(db, async (trx) => {
    if (reason === 'verification_required' && !(await claimKycRequiredNotice(trx, session.id))) return;
    await appendEvent(
      trx,
      scope,
      'kyc.required',
      {
        session_id: session.id,
        partner_id: scope.partnerId,
        mode: scope.mode,
        user_reference: session.user_reference,
        reason,
        failure_reason: failureReason,
      },
      session.id,
    );
  });
}

/** KYC on every flow (buy, sell, swap), enforced here and not only in the widget: 403 `kyc_required`. */
async function requireKyc(db: Db, context: Context): Promise<void> {
  if (await kycDone(db, context.session)) return;
  await notifyKyc(db, context, 'verification_required', null);
  throw new PermissionError(
    'Verify the user first (POST /v1/embed/kyc); this session is not KYC pre-verified',
    'kyc_required',
  );
}

export async function verifyKyc(deps: WidgetDeps, claims: EmbedClaims, person: KycInput) {
  const context = await contextOf(deps, claims);
  const result = await context.providers.kyc.verify({
    firstName: person.first_name,
    lastName: person.last_name,
    dateOfBirth: person.date_of_birth,
    country: person.country,
  });
  if (!result.verified) {
    // The latest verification counts: a pass followed by a reject (or review) leaves the customer unverified.
    await clearKycVerified(deps.db, context.session.id);
    await notifyKyc(
      deps.db,
      context,
      result.outcome === 'review' ? 'kyc_review' : 'kyc_rejected',
      result.reason,
    );
    return { object: 'widget_kyc' as const, status: result.outcome, reason: result.reason };
  }
  await markKycVerified(deps.db, context.session.id);
  return { object: 'widget_kyc' as const, status: 'verified' as const, reason: null };
}

/**
 * The session's open intent, for a widget that reloads or remounts (resume): the same intent, deposit
 * address and expiry as before, or null when none is open.
 */
export async function currentIntent(deps: WidgetDeps, claims: EmbedClaims) {
  const { session } = await contextOf(deps, claims);
  const open = await findActiveIntent(deps.db, session.id);
  return { object: 'widget_resume' as const, intent: open ? toIntent(open, session) : null };
}

export function toIntent(row: WidgetIntentRow, session: Pick<GateSession, 'return_url' | 'expires_at'>) {
  return {
    id: row.id,
    object: 'widget_intent' as const,
    flow: row.flow,
    status: row.status,
    amount: row.fiat_amount,
    currency: row.fiat_currency,
    crypto: { token: row.token, network: row.network, amount: row.crypto_amount },
    source: row.source_token
      ? { token: row.source_token, network: row.source_network, amount: row.source_amount }
      : null,
    destination:
      row.flow === 'off_ramp'
        ? `${row.destination.slice(0, 4)} •••• ${row.destination.slice(-4)}`
        : row.destination,
    deposit_address: row.deposit_address,
    next_action: row.status === 'requires_action' ? { type: 'three_ds_challenge' as const } : null,
    failure_reason: row.failure_reason,
    tx_refid: row.tx_refid,
    return_url: session.return_url,
    /** The deposit address (and the intent) are valid until the session expires. */
    expires_at: session.expires_at,
  };
}

/** A payment attempt for exactly the session's amount: a card charge (buy) or a crypto deposit (sell, swap). */
export async function createIntent(deps: WidgetDeps, claims: EmbedClaims, input: IntentInput) {
  const context = await contextOf(deps, claims);
  const { session } = context;
  if (input.amount !== session.amount || input.currency !== session.currency)
    throw new ValidationError([
      `amount and currency must equal the session's exactly (${session.amount} ${session.currency}); got ${input.amount} ${input.currency}`,
    ]);
  const { flow, quote: q, source } = await price(context, input);
  let destination: string;
  if (flow === 'off_ramp') {
    const iban = electronicFormatIBAN(input.iban ?? '') ?? '';
    if (!isValidIBAN(iban)) throw new ValidationError(['iban is not a valid IBAN (check digits and length)']);
    destination = iban;
  } else {
    destination = input.wallet_address ?? session.wallet_address ?? '';
    checkWalletLock(session, flow, destination);
    checkAddress(q.crypto.network, destination, 'wallet_address');
  }
  if (flow !== 'on_ramp') await requireKyc(deps.db, context); // no deposit address before verification
  const depositAsset = flow === 'off_ramp' ? q.crypto : source;
  const details = {
    session_id: session.id,
    flow,
    fiat_amount: q.fiat.amount,
    fiat_currency: q.fiat.currency,
    token: q.crypto.token,
    network: q.crypto.network,
    crypto_amount: q.crypto.amount,
    source_token: source?.token ?? null,
    source_network: source?.network ?? null,
    source_amount: source?.amount ?? null,
    destination,
    rate: q.rate,
    processing_fee: q.fees.processing,
    network_fee: q.fees.network,
    source_rate: source?.rate ?? null,
  };
  const flagged = await screen(context, [partyOf(flow, q.crypto.network, destination)]);
  if (flagged) return toIntent(await refuseAtCreate(deps.db, context, details, flagged), session);
  const row = await openIntent(deps.db, details, (id) =>
    depositAsset
      ? context.providers.settlement.depositAddress(depositAsset.token, depositAsset.network, id)
      : null,
  );
  return toIntent(row, session);
}

/** The failure_reason of an intent refused by sanctions screening (docs/sandbox.md lists test parties). */
export const SANCTIONS_FAILURE = 'sanctions_screening';

const partyOf = (flow: Flow, network: string, destination: string): ScreenedParty =>
  flow === 'off_ramp'
    ? { kind: 'iban', iban: destination }
    : { kind: 'wallet', network, address: destination };

/**
 * Sanctions screening of every party money would move to or come from. A screening provider that does not
 * answer refuses the step (503, nothing moves): an unscreened payment is never made.
 */
async function screen(context: Context, parties: ScreenedParty[]): Promise<string | null> {
  for (const party of parties) {
    let result: Awaited<ReturnType<RampProviders['sanctions']['screen']>>;
    try {
      result = await context.providers.sanctions.screen(party);
    } catch {
      throw new ServiceUnavailableError(
        'Sanctions screening is not answering right now; try again in a moment. No money was moved.',
      );
    }
    if (result.flagged) return result.reason;
  }
  return null;
}

/**
 * A destination that screening flags: the attempt is recorded as a failed intent (no deposit address is
 * issued) and the partner hears gate_session.failed with its failure_reason; the session stays open.
 */
/** A confirm that screening refuses: the intent fails before any money step (gate_session.failed). */
async function refuseAtConfirm(db: Db, context: Context, intent: WidgetIntentRow) {
  return inTransaction(db, async (trx) => {
    await lockSession(trx, intent.session_id);
    const moved = await updateWidgetIntent(trx, intent.id, [intent.status], {
      status: 'failed',
      phase: null,
      failure_reason: SANCTIONS_FAILURE,
    });
    if (!moved) throw new ConflictError(`Intent ${intent.id} is being confirmed by another request`);
    await reportPaymentFailure(trx, context.scope, context.session, SANCTIONS_FAILURE);
    return moved;
  });
}

async function refuseAtCreate(db: Db, context: Context, details: IntentDetails, _reason: string) {
  return inTransaction(db, async (trx) => {
    const row = await insertWidgetIntent(trx, {
      ...details,
      id: newObjectId(),
      status: 'failed',
      deposit_address: null,
      failure_reason: SANCTIONS_FAILURE,
      tx_refid: null,
      deposit_txid: null,
    });
    await reportPaymentFailure(trx, context.scope, context.session, SANCTIONS_FAILURE);
    return row;
  });
}

type IntentDetails = Pick<
  WidgetIntentRow,
  | 'session_id'
  | 'flow'
  | 'fiat_amount'
  | 'fiat_currency'
  | 'token'
  | 'network'
  | 'crypto_amount'
  | 'source_token'
  | 'source_network'
  | 'source_amount'
  | 'destination'
  | 'rate'
  | 'processing_fee'
  | 'network_fee'
  | 'source_rate'
>;

/** What the user chose (not what it was priced at): the same choice again is the same intent. */
const sameChoice = (row: WidgetIntentRow, details: IntentDetails) =>
  row.flow === details.flow &&
  row.token === details.token &&
  row.network === details.network &&
  row.source_token === details.source_token &&
  row.source_network === details.source_network &&
  row.destination === details.destination &&
  row.fiat_amount === details.fiat_amount &&
  row.fiat_currency === details.fiat_currency;

/**
 * One active intent per session (the database's widget_intents_one_active index enforces it). A reloaded
 * widget asking again for the same choice gets the open intent back, so it continues where it was; another
 * choice supersedes an intent that has not started paying; an intent being paid answers 409.
 */
async function openIntent(
  db: Db,
  details: IntentDetails,
  depositAddress: (id: string) => string | null,
): Promise<WidgetIntentRow> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(db, async (trx) => {
        const open = await findActiveIntentForUpdate(trx, details.session_id);
        if (open?.status === 'processing')
          throw new ConflictError(
            `Intent ${open.id} of this session is being paid; it will complete the session or fail, then another can start`,
          );
        if (open?.status === 'requires_payment' && sameChoice(open, details)) return open;
        // A deposit address was shown to the customer: the intent stays what it is (they may be sending to
        // it right now). Another flow, asset, network or destination is refused; cancelling is the way out.
        if (open?.deposit_address)
          throw new ConflictError(
            `A deposit address (${open.deposit_address}) was already issued for this session's ${open.flow} of ${expectedDeposit(open).token} on ${expectedDeposit(open).network}; it cannot switch to another flow, asset or destination. Continue with intent ${open.id} or cancel the session.`,
            'deposit_address_issued',
          );
        if (open)
          await updateWidgetIntent(trx, open.id, [open.status], {
            status: 'failed',
            failure_reason: 'superseded',
            phase: null,
          });
        const id = newObjectId();
        return insertWidgetIntent(trx, {
          ...details,
          id,
          status: 'requires_payment',
          deposit_address: depositAddress(id),
          failure_reason: null,
          tx_refid: null,
          deposit_txid: null,
        });
      });
    } catch (error) {
      // Two creates raced past the lock (neither row existed yet): the loser reads the winner's intent.
      if (attempt < 3 && isUniqueViolation(error, 'widget_intents_one_active')) continue;
      throw error;
    }
  }
}

/** What a sell or swap must receive before anything is paid out: the quoted asset and amount, at its address. */
function expectedDeposit(row: WidgetIntentRow) {
  return row.flow === 'swap'
    ? { token: row.source_token!, network: row.source_network!, amount: row.source_amount! }
    : { token: row.token, network: row.network, amount: row.crypto_amount };
}

/** a >= b for non-negative decimal strings, exactly (no floats). */
function atLeast(a: string, b: string): boolean {
  const places = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const [x, y] = [toUnits(a, places), toUnits(b, places)];
  return x !== null && y !== null && x >= y;
}

/**
 * Whether the deposit a sell or swap pays out against has arrived: at least the quoted amount of the quoted
 * asset at the address issued for this intent, as the settlement provider sees it (never the user's word).
 */
async function depositReceived(settlement: RampProviders['settlement'], row: WidgetIntentRow) {
  const want = expectedDeposit(row);
  const deposit = await settlement.findDeposit({
    address: row.deposit_address ?? '',
    token: want.token,
    network: want.network,
    reference: row.id,
  });
  return { want, deposit, enough: !!deposit && atLeast(deposit.amount, want.amount) };
}

/**
 * Sell and swap: refuse the confirm (409, nothing moves) until the provider has seen the deposit. In test
 * mode `simulate_deposit: true` makes the sandbox record it first, as the widget's sandbox button does.
 */
async function requireDeposit(
  context: Context,
  intent: WidgetIntentRow,
  input: ConfirmInput,
): Promise<Deposit> {
  const { settlement } = context.providers;
  if (input.simulate_deposit) {
    if (context.scope.mode !== 'test' || !settlement.simulateDeposit)
      throw new ValidationError([
        'simulate_deposit exists only in test mode; in live mode send the deposit and confirm once it has arrived',
      ]);
    const want = expectedDeposit(intent);
    await settlement.simulateDeposit({ address: intent.deposit_address ?? '', ...want });
  }
  let check: Awaited<ReturnType<typeof depositReceived>>;
  try {
    check = await depositReceived(settlement, intent);
  } catch {
    throw new ServiceUnavailableError(
      `The deposit of intent ${intent.id} could not be checked right now; confirm again in a moment. No money was moved.`,
    );
  }
  const { want, deposit, enough } = check;
  if (enough && deposit) return deposit;
  throw new ConflictError(
    deposit
      ? `Deposit not received yet: ${deposit.amount} ${want.token} arrived at ${intent.deposit_address}, less than the ${want.amount} quoted; send the rest. No money was moved.`
      : `Deposit not received yet: send ${want.amount} ${want.token} on ${want.network} to ${intent.deposit_address}, then confirm again once it has arrived. No money was moved.`,
  );
}

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

function checkCard(card: ConfirmInput['card']): string {
  if (!card) throw new ValidationError(['card is required to pay for a buy']);
  const number = card.number.replace(/[\s-]/g, '');
  const problems: string[] = [];
  if (!/^\d{12,19}$/.test(number) || !luhn(number)) problems.push('card.number is not a valid card number');
  const now = new Date();
  if (
    card.exp_year < now.getUTCFullYear() ||
    (card.exp_year === now.getUTCFullYear() && card.exp_month < now.getUTCMonth() + 1)
  )
    problems.push('card has expired');
  if (!/^\d{3,4}$/.test(card.cvc)) problems.push('card.cvc must be 3 or 4 digits');
  if (problems.length) throw new ValidationError(problems);
  return number;
}

/**
 * Pays: a buy charges the card (success, decline, or a 3-D Secure challenge answered by a second confirm);
 * a sell or swap takes the user's "I have sent it" as the deposit (simulated in test mode). Success settles
 * and completes the session (gate_session.completed with its tx_refid); a decline fails the intent and emits
 * gate_session.failed while the session stays open for another attempt.
 *
 * Money moves once: the confirm claims the intent (compare-and-set to `processing` with its first money
 * step) before any provider is called, and each step is then claimed before the next provider call, with a
 * reference derived from the intent and the step that the provider treats as an idempotency key.
 */
export async function confirmIntent(
  deps: WidgetDeps,
  claims: EmbedClaims,
  intentId: string,
  input: ConfirmInput,
) {
  const context = await contextOf(deps, claims);
  const { session, scope, providers } = context;
  const intent = await findWidgetIntent(deps.db, session.id, intentId);
  if (!intent) throw new NotFoundError(`No intent ${intentId} for this session`);
  if (intent.status === 'failed' && intent.failure_reason === 'superseded')
    throw new ConflictError(
      `Intent ${intent.id} was superseded by a newer intent of this session; confirm that one`,
    );
  if (intent.status === 'succeeded' || intent.status === 'failed')
    throw new ConflictError(`Intent ${intent.id} is already ${intent.status}; create a new one to try again`);
  if (intent.status === 'processing')
    throw new ConflictError(`Intent ${intent.id} is being confirmed; read it again`);
  const answeringChallenge = intent.status === 'requires_action';
  await requireKyc(deps.db, context);
  checkAllowed(session, intent.token, intent.network);
  checkWalletLock(session, intent.flow, intent.destination);
  let card: string | null = null;
  if (intent.flow === 'on_ramp') {
    card = checkCard(input.card);
    if (answeringChallenge && !input.three_ds_code)
      throw new ValidationError(['three_ds_code is required to answer the 3-D Secure challenge']);
  }
  const parties = [partyOf(intent.flow, intent.network, intent.destination)];
  let flagged = await screen(context, parties);
  let deposit: Deposit | null = null;
  if (!flagged && intent.flow !== 'on_ramp') {
    deposit = await requireDeposit(context, intent, input);
    // The wallet the deposit came from, when the provider names it, is screened as well.
    if (deposit.from)
      flagged = await screen(context, [{ kind: 'wallet', network: deposit.network, address: deposit.from }]);
  }
  if (flagged) return toIntent(await refuseAtConfirm(deps.db, context, intent), session);
  const claimed = await claim(deps.db, intent, deposit?.txid ?? null);
  if (!claimed) throw new ConflictError(`Intent ${intent.id} is being confirmed by another request`);
  const payment = card
    ? { card, threeDsCode: answeringChallenge ? input.three_ds_code : undefined }
    : { card: null, threeDsCode: undefined };
  const row = await advance(deps, scope, session, providers, claimed, payment);
  const answer = toIntent(row, session);
  // Paid: the widget sends the customer to return_url with the session id and status, signed.
  if (row.status === 'succeeded')
    answer.return_url = await signedRedirect(
      deps.db,
      deps.box,
      scope,
      session.return_url,
      session.id,
      'completed',
    );
  return answer;
}

/**
 * The widget's Cancel button: cancels the open session server-side (gate_session.cancelled, as the
 * partner's own cancel) and answers where to send the customer — cancel_url with the session id and status
 * appended and signed (null when the session has none: embedded mode reports it to the page instead).
 */
export async function cancelFromWidget(deps: WidgetDeps, claims: EmbedClaims) {
  if (!claims.session_id)
    throw new ConflictError('This embed token is not bound to a session; bootstrap with a clientSecret');
  const scope = { partnerId: claims.partner_id, mode: claims.mode };
  const session = await cancelSession(deps.db, scope, claims.session_id);
  return {
    object: 'widget_cancel' as const,
    session_id: session.id,
    status: session.status,
    cancel_url: session.cancel_url
      ? await signedRedirect(deps.db, deps.box, scope, session.cancel_url, session.id, session.status)
      : null,
  };
}

/**
 * Claims the intent before touching money: of racing confirms exactly one gets here. Under the session's
 * row lock (lockSession), which every close takes too, and only while the session is open and before its
 * deadline: a cancel, an expiry or a sandbox helper either closed it first (409, nothing moves) or sees
 * this payment in flight and refuses — so money that moves always completes its session.
 */
async function claim(
  db: Db,
  intent: WidgetIntentRow,
  depositTxid: string | null,
): Promise<WidgetIntentRow | undefined> {
  return inTransaction(db, async (trx) => {
    const session = await lockSession(trx, intent.session_id);
    if (session?.status !== 'open' || session.due)
      throw new ConflictError(
        `Session ${intent.session_id} is ${session?.status === 'open' ? 'expired' : (session?.status ?? 'gone')}; intent ${intent.id} can no longer be paid. No money was moved.`,
      );
    return updateWidgetIntent(
      trx,
      intent.id,
      [intent.status],
      {
        status: 'processing',
        phase: FIRST_STEP[intent.flow],
        attempt: intent.attempt + 1,
        ...(depositTxid ? { deposit_txid: depositTxid } : {}),
      },
      { attempt: intent.attempt },
    );
  });
}

/** How long a confirm waits for one provider call; well within INTENT_RECOVERY_AFTER_MS. */
export const PROVIDER_TIMEOUT_MS = 30_000;

/**
 * A provider call. If it throws or does not answer in time, whether money moved is unknown: the intent stays
 * in flight (its step claimed) and the recovery pass asks the provider by reference, then completes or
 * fails the session once.
 */
async function outside<T>(row: WidgetIntentRow, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('provider timeout')), PROVIDER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch {
    throw new ServiceUnavailableError(
      `The payment provider did not answer; intent ${row.id} is being checked and will complete or fail the session. Do not pay again.`,
    );
  } finally {
    clearTimeout(timer);
  }
}

const FIRST_STEP: Record<Flow, IntentPhase> = { on_ramp: 'charge', off_ramp: 'payout', swap: 'send' };

/** Idempotency keys at the providers: one per intent and money step (and per confirm, for a card charge). */
export const providerReference = {
  charge: (row: Pick<WidgetIntentRow, 'id' | 'attempt'>) => `${row.id}:charge:${row.attempt}`,
  payout: (row: Pick<WidgetIntentRow, 'id'>) => `${row.id}:payout`,
  send: (row: Pick<WidgetIntentRow, 'id'>) => `${row.id}:send`,
};

/** A confirm's card details; null when recovering (the card is never stored: ask the rail by reference). */
type Payment = { card: string | null; threeDsCode: string | undefined } | null;

/**
 * Walks a claimed intent through its money steps until it leaves `processing`. Each step's result is
 * recorded with a compare-and-set that also claims the next step; losing one means another pass (a
 * recovery) moved the intent, and what it left is the answer.
 */
async function advance(
  deps: MoneyDeps,
  scope: Scope,
  session: GateSession,
  providers: RampProviders,
  claimed: WidgetIntentRow,
  payment: Payment,
): Promise<WidgetIntentRow> {
  let row = claimed;
  while (row.status === 'processing') {
    const next = await step(deps, scope, session, providers, row, payment);
    if (!next) return (await findWidgetIntentById(deps.db, row.id)) ?? row;
    row = next;
  }
  return row;
}

async function step(
  deps: MoneyDeps,
  scope: Scope,
  session: GateSession,
  providers: RampProviders,
  row: WidgetIntentRow,
  payment: Payment,
): Promise<WidgetIntentRow | undefined> {
  const claim = { phase: row.phase, attempt: row.attempt };
  const move = (changes: Parameters<typeof updateWidgetIntent>[3]) =>
    updateWidgetIntent(deps.db, row.id, ['processing'], changes, claim);
  const { settlement } = providers;
  switch (row.phase) {
    case 'charge': {
      const reference = providerReference.charge(row);
      const card = payment?.card;
      const charge = await outside(row, () =>
        card
          ? providers.cards.charge({
              number: card,
              amount: row.fiat_amount,
              currency: row.fiat_currency,
              threeDsCode: payment.threeDsCode,
              reference,
            })
          : providers.cards.lookup(reference),
      );
      if (!charge) return fail(deps, scope, session, row, 'interrupted');
      if (charge.outcome === 'declined') return fail(deps, scope, session, row, charge.reason);
      if (charge.outcome === 'requires_3ds')
        // A recovered challenge has nobody left to answer it: the user starts again.
        return payment
          ? move({ status: 'requires_action', phase: null })
          : fail(deps, scope, session, row, 'interrupted');
      return move({ phase: 'send', charge_reference: charge.reference });
    }
    case 'payout': {
      const reference = providerReference.payout(row);
      // The confirm claimed this step only after the provider saw the deposit (requireDeposit); recovery
      // checks it again before paying (an intent claimed by an older version never had it checked), and
      // the provider's idempotency makes asking again after a lost answer pay nothing twice.
      if (!payment && !(await outside(row, () => settlement.findPayout(reference))))
        if (!(await outside(row, () => depositReceived(settlement, row))).enough)
          return fail(deps, scope, session, row, 'deposit_not_received');
      const payout = await outside(
        row,
        async () =>
          (payment ? null : await settlement.findPayout(reference)) ??
          settlement.payFiat({
            iban: row.destination,
            amount: row.fiat_amount,
            currency: row.fiat_currency,
            reference,
          }),
      );
      return move({ phase: 'send', payout_reference: payout });
    }
    case 'send': {
      const reference = providerReference.send(row);
      // A swap's send is its first money step: as for a sell's payout, recovery re-checks the deposit.
      if (row.flow === 'swap' && !payment && !(await outside(row, () => settlement.findSend(reference))))
        if (!(await outside(row, () => depositReceived(settlement, row))).enough)
          return fail(deps, scope, session, row, 'deposit_not_received');
      // The user's deposit is the on-chain leg of a sell.
      const address = row.flow === 'off_ramp' ? row.deposit_address! : row.destination;
      const txRefid = await outside(
        row,
        async () =>
          (payment ? null : await settlement.findSend(reference)) ??
          settlement.sendCrypto({
            token: row.token,
            network: row.network,
            address,
            amount: row.crypto_amount,
            reference,
          }),
      );
      return succeed(deps, scope, row, txRefid);
    }
    default:
      // An intent left `processing` by a version that recorded no step: nothing says what moved.
      return fail(deps, scope, session, row, 'interrupted');
  }
}

/** Delivered: the intent succeeds and the session completes, together and once. */
async function succeed(deps: MoneyDeps, scope: Scope, row: WidgetIntentRow, txRefid: string) {
  return inTransaction(deps.db, async (trx) => {
    // The session's lock before the intent's row, in the order the claim takes them (no deadlock).
    await lockSession(trx, row.session_id);
    const moved = await updateWidgetIntent(
      trx,
      row.id,
      ['processing'],
      { status: 'succeeded', phase: null, tx_refid: txRefid },
      { phase: row.phase, attempt: row.attempt },
    );
    if (!moved) return undefined;
    // Claimed under the session's lock while it was open and before its deadline, and no close happens
    // while an intent is processing (store/sessions.ts): the session is open here, even past its
    // deadline. Should that ever not hold, this throws and rolls back: the intent stays in flight for the
    // recovery pass and the operator, rather than money moved under a session that says otherwise.
    await completeSession(trx, scope, row.session_id, txRefid, { ignoreDeadline: true });
    return moved;
  });
}

async function fail(
  deps: MoneyDeps,
  scope: Scope,
  session: GateSession,
  row: WidgetIntentRow,
  reason: string,
) {
  return inTransaction(deps.db, async (trx) => {
    await lockSession(trx, row.session_id);
    const moved = await updateWidgetIntent(
      trx,
      row.id,
      ['processing'],
      { status: 'failed', phase: null, failure_reason: reason },
      { phase: row.phase, attempt: row.attempt },
    );
    if (moved) await reportPaymentFailure(trx, scope, session, reason);
    return moved;
  });
}

/** How long an intent may stay in flight before recovery asks its provider; longer than any provider call. */
export const INTENT_RECOVERY_AFTER_MS = 5 * 60_000;

/**
 * The recovery pass (run by `npm start` with the expiry sweep): intents left `processing` for longer than
 * `olderThanMs` — a confirm whose process died, or whose provider never answered — are resolved by asking
 * the provider what became of each step's reference: a charge that never reached the rail fails the intent
 * (gate_session.failed; the session stays open), one that succeeded goes on to delivery, and a payout or
 * send is finished with the same reference (so it happens once). The session completes or fails once.
 */
export async function recoverInFlightIntents(
  deps: MoneyDeps,
  options: { olderThanMs?: number; limit?: number } = {},
): Promise<{ succeeded: number; failed: number; unresolved: number }> {
  const olderThanMs = options.olderThanMs ?? INTENT_RECOVERY_AFTER_MS;
  const outcome = { succeeded: 0, failed: 0, unresolved: 0 };
  for (const found of await findInFlightIntents(deps.db, olderThanMs, options.limit ?? 100)) {
    const providers = deps.providers[found.mode];
    const scope = { partnerId: found.partner_id, mode: found.mode };
    const sessionRow = await findSession(deps.db, scope, found.session_id);
    if (!providers || !sessionRow) continue;
    const leased = await leaseInFlightIntent(deps.db, found.id, olderThanMs);
    if (!leased) continue; // another instance is resolving it
    try {
      const row = await advance(deps, scope, toGateSession(sessionRow), providers, leased, null);
      if (row.status === 'succeeded') outcome.succeeded++;
      else if (row.status === 'failed') outcome.failed++;
      else outcome.unresolved++;
    } catch {
      outcome.unresolved++; // the provider is still not answering: the next pass asks again
    }
  }
  return outcome;
}
