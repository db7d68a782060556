import {
  ADDRESS_HINTS,
  isValidAddressFormat,
  NETWORK_ADDRESS_FORMAT,
  QuoteError,
  quote,
  rampQuote,
  swapCurrency,
} from '@0bit/markets';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { type Db, inTransaction } from '../../store/db.ts';
import {
  findWidgetIntent,
  insertWidgetIntent,
  kycVerifiedAt,
  markKycVerified,
  updateWidgetIntent,
  type WidgetIntentRow,
} from '../../store/widget-intents.ts';
import type { EmbedClaims } from '../embed-token.ts';
import {
  ConflictError,
  NotFoundError,
  PermissionError,
  ServiceUnavailableError,
  ValidationError,
} from '../errors.ts';
import { newObjectId } from '../ids.ts';
import type { Scope } from '../keys.ts';
import { completeSession, type GateSession, reportPaymentFailure, retrieveSession } from '../sessions.ts';
import type { RampProviders, RampProvidersByMode } from './providers.ts';

export type Flow = 'on_ramp' | 'off_ramp' | 'swap';

export interface WidgetDeps {
  db: Db;
  providers: RampProvidersByMode;
}

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

export interface QuoteInput {
  flow?: Flow | undefined;
  token?: string | undefined;
  network?: string | undefined;
  /** Swap: what the user sends. */
  from_token?: string | undefined;
  from_network?: string | undefined;
}

async function price(context: Context, input: QuoteInput) {
  const { session, providers } = context;
  const flow = flowOf(session, input.flow);
  const target = targetOf(session, input);
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
  return {
    object: 'widget_quote' as const,
    flow,
    amount: q.fiat.amount,
    currency: q.fiat.currency,
    crypto: q.crypto,
    fees: q.fees,
    rate: q.rate,
    source,
    kyc_required: !(context.session.kyc_pre_verified || (await kycVerifiedAt(deps.db, context.session.id))),
  };
}

export async function verifyKyc(
  deps: WidgetDeps,
  claims: EmbedClaims,
  person: { first_name: string; last_name: string; date_of_birth: string; country: string },
) {
  const context = await contextOf(deps, claims);
  const result = await context.providers.kyc.verify({
    firstName: person.first_name,
    lastName: person.last_name,
    dateOfBirth: person.date_of_birth,
    country: person.country,
  });
  if (!result.verified)
    return { object: 'widget_kyc' as const, status: 'rejected' as const, reason: result.reason };
  await markKycVerified(deps.db, context.session.id);
  return { object: 'widget_kyc' as const, status: 'verified' as const, reason: null };
}

export function toIntent(row: WidgetIntentRow, session: Pick<GateSession, 'return_url'>) {
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
  };
}

export interface IntentInput extends QuoteInput {
  amount: string;
  currency: string;
  wallet_address?: string | undefined;
  iban?: string | undefined;
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
    checkAddress(q.crypto.network, destination, 'wallet_address');
  }
  const id = newObjectId();
  const depositAsset = flow === 'off_ramp' ? q.crypto : source;
  const row = await insertWidgetIntent(deps.db, {
    id,
    session_id: session.id,
    flow,
    status: 'requires_payment',
    fiat_amount: q.fiat.amount,
    fiat_currency: q.fiat.currency,
    token: q.crypto.token,
    network: q.crypto.network,
    crypto_amount: q.crypto.amount,
    source_token: source?.token ?? null,
    source_network: source?.network ?? null,
    source_amount: source?.amount ?? null,
    destination,
    deposit_address: depositAsset
      ? context.providers.settlement.depositAddress(depositAsset.token, depositAsset.network, id)
      : null,
    failure_reason: null,
    tx_refid: null,
  });
  return toIntent(row, session);
}

export interface ConfirmInput {
  card?: { number: string; exp_month: number; exp_year: number; cvc: string } | undefined;
  three_ds_code?: string | undefined;
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
  if (intent.status === 'succeeded' || intent.status === 'failed')
    throw new ConflictError(`Intent ${intent.id} is already ${intent.status}; create a new one to try again`);
  if (intent.status === 'processing')
    throw new ConflictError(`Intent ${intent.id} is being confirmed; read it again`);
  const answeringChallenge = intent.status === 'requires_action';
  let card: string | null = null;
  if (intent.flow === 'on_ramp') {
    if (!session.kyc_pre_verified && !(await kycVerifiedAt(deps.db, session.id)))
      throw new PermissionError(
        'Verify the user first (POST /v1/embed/kyc); this session is not KYC pre-verified',
      );
    card = checkCard(input.card);
    if (answeringChallenge && !input.three_ds_code)
      throw new ValidationError(['three_ds_code is required to answer the 3-D Secure challenge']);
  }
  // Claim the intent before touching money: a double-clicked confirm charges once.
  const claimed = await updateWidgetIntent(deps.db, intent.id, [intent.status], { status: 'processing' });
  if (!claimed) throw new ConflictError(`Intent ${intent.id} is being confirmed by another request`);

  if (card) {
    const charge = await providers.cards.charge({
      number: card,
      amount: intent.fiat_amount,
      currency: intent.fiat_currency,
      threeDsCode: answeringChallenge ? input.three_ds_code : undefined,
    });
    if (charge.outcome === 'requires_3ds') {
      const row = await updateWidgetIntent(deps.db, intent.id, ['processing'], { status: 'requires_action' });
      return toIntent(row ?? claimed, session);
    }
    if (charge.outcome === 'declined') return fail(deps, context, claimed, charge.reason);
  }
  const txRefid = await settle(providers, intent);
  const row = await inTransaction(deps.db, async (trx) => {
    const moved = await updateWidgetIntent(trx, intent.id, ['processing'], {
      status: 'succeeded',
      tx_refid: txRefid,
    });
    await completeSession(trx, scope, session.id, txRefid);
    return moved!;
  });
  return toIntent(row, session);
}

/** Paid (or, for a sell or swap, deposited): deliver, and return the transaction the partner will see. */
async function settle(providers: RampProviders, intent: WidgetIntentRow): Promise<string> {
  if (intent.flow === 'off_ramp') {
    await providers.settlement.payFiat({
      iban: intent.destination,
      amount: intent.fiat_amount,
      currency: intent.fiat_currency,
      reference: intent.id,
    });
    // The user's deposit is the on-chain leg of a sell.
    return providers.settlement.sendCrypto({
      token: intent.token,
      network: intent.network,
      address: intent.deposit_address!,
      amount: intent.crypto_amount,
      reference: `deposit:${intent.id}`,
    });
  }
  return providers.settlement.sendCrypto({
    token: intent.token,
    network: intent.network,
    address: intent.destination,
    amount: intent.crypto_amount,
    reference: intent.id,
  });
}

async function fail(deps: WidgetDeps, context: Context, intent: WidgetIntentRow, reason: string) {
  const row = await inTransaction(deps.db, async (trx) => {
    const moved = await updateWidgetIntent(trx, intent.id, ['processing'], {
      status: 'failed',
      failure_reason: reason,
    });
    if (moved) await reportPaymentFailure(trx, context.scope, context.session, reason);
    return moved;
  });
  return toIntent(row ?? intent, context.session);
}
