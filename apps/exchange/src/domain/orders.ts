import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@0bit/core/errors';
import { newObjectId, randomAlphanumeric } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import {
  fingerprintOf,
  type IdempotencyKey,
  type Previous,
  previousUse,
  storeAnswer,
  TRACE_KEYS,
} from '@0bit/db/idempotency';
import type { ExchangeStatus } from '@0bit/db/schema';
import { ADDRESS_HINTS, type Currency, findCurrency, isValidAddress, toUnits } from '@0bit/markets';
import type { ExchangeConfig } from '../config.ts';
import { ERROR_CODES, isErrorName, isTraceError, traceError } from '../errors.ts';
import {
  chooseEmergency,
  findOrder,
  findOrderById,
  insertOrder,
  insertOrderEvent,
  listOrders,
  type OrderChanges,
  type OrderRow,
  transitionOrder,
} from '../store/orders.ts';
import { claimQuote, findLiveQuote, findQuote, type QuoteRow, type QuoteWriter } from '../store/quotes.ts';
import { emergencyActions, orderDto } from './order-dto.ts';
import { priceWith, providersFor, type RefcodeCache, resolveRefcode } from './pricing.ts';
import type { ProvidersByMode } from './providers.ts';
import type { CreateParams } from './shapes.ts';

export interface OrderDeps {
  db: Db;
  box: SecretBox;
  providers: ProvidersByMode;
  refcodes: RefcodeCache;
  /** Fixed quotes, written in batches (one commit per event-loop turn). */
  quotes: QuoteWriter;
  config: Pick<ExchangeConfig, 'depositWindowSeconds' | 'fixedRateTtlSeconds' | 'sandboxSettleMs'>;
}

/** What moving an order along needs (the settlement loop has no HTTP side). */
export type SettleDeps = Pick<OrderDeps, 'db' | 'providers'>;

export const STATUS_CHANGED = 'order.status_changed';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const currencyOf = (code: string): Currency => findCurrency(code)!;

function checkAddress(currency: Currency, value: string, field: string): void {
  if (!isValidAddress(currency, value))
    throw traceError(
      'INVALID_ADDRESS',
      `${field} is not a valid ${currency.code} address: expected ${ADDRESS_HINTS[currency.addressFormat]}`,
      { field },
    );
}

/** Moves an order and records the event in one transaction; undefined when another actor moved it first. */
async function move(db: Db, order: OrderRow, from: readonly ExchangeStatus[], changes: OrderChanges) {
  return db.transaction().execute(async (trx) => {
    const moved = await transitionOrder(trx, order.id, from, changes);
    if (moved && moved.status !== order.status)
      await insertOrderEvent(trx, moved, STATUS_CHANGED, orderDto(moved));
    return moved;
  });
}

/** A concurrent create with the same Idempotency-Key committed first: replay it instead. */
class LostIdempotencyRace extends Error {}
/** The fixed quote was taken by a concurrent create between the lookup and the claim. */
class QuoteTaken extends Error {}

/** Errors that are the answer stored for a key already: rethrown as they are, never stored again. */
const replayedErrors = new WeakSet<AppError>();

/**
 * A create whose key was used before (docs/idempotency.md): the stored order (token included) or the
 * stored 4xx again; another body under the same key is IDEMPOTENCY_CONFLICT with the order it made.
 */
function answerOf(previous: Previous): unknown {
  if (previous.kind === 'in_progress')
    // 0trace writes a key with its answer in one statement, so this is never seen; say what to do anyway.
    throw traceError('INVALID_STATE', 'A create with this Idempotency-Key is still being processed; retry');
  const { status, body } = previous.answer;
  if (previous.kind === 'mismatch')
    throw traceError(
      'IDEMPOTENCY_CONFLICT',
      'This Idempotency-Key was already used with a different body; use a new key for a new order',
      status < 400 ? { orderId: (body as { id: string }).id } : {},
    );
  if (status < 400) return body;
  const stored = body as { code: string; message: string; details: Record<string, unknown> };
  const error = traceError(
    isErrorName(stored.code) ? stored.code : 'INVALID_REQUEST',
    stored.message,
    stored.details,
  );
  replayedErrors.add(error);
  throw error;
}

/**
 * POST /api/v1/create: validates, prices (honouring a live fixed quote), reserves a deposit address. With an
 * Idempotency-Key the answer is stored, a 4xx of these rules too (not INVALID_REQUEST: a malformed request is
 * corrected and retried with the same key), so a retry gets the same answer.
 */
export async function createOrder(
  deps: OrderDeps,
  scope: Scope,
  params: CreateParams,
  request: { rawBody: Buffer; idempotencyKey: string | undefined },
) {
  const key = request.idempotencyKey;
  const raw = request.rawBody.toString('utf8');
  const idempotency: IdempotencyKey | undefined = key
    ? {
        scope,
        key,
        fingerprint: fingerprintOf('POST', '/api/v1/create', raw.length === 0 ? {} : JSON.parse(raw)),
        // Keys stored before the shared module (migration 0013) hashed the raw body; they age out in 24 h.
        alsoAccepted: [sha256(raw)],
      }
    : undefined;
  try {
    return await createOnce(deps, scope, params, idempotency);
  } catch (error) {
    if (
      idempotency &&
      error instanceof AppError &&
      !replayedErrors.has(error) &&
      isErrorName(error.code) &&
      error.code !== 'IDEMPOTENCY_CONFLICT' &&
      // A malformed request (code 1) is the caller's to correct: like a schema refusal, it is not stored.
      error.code !== 'INVALID_REQUEST' &&
      ERROR_CODES[error.code].status < 500
    )
      await storeAnswer(deps.db, deps.box, TRACE_KEYS, idempotency, {
        status: ERROR_CODES[error.code].status,
        body: { code: error.code, message: error.message, details: error.details },
      });
    throw error;
  }
}

async function createOnce(
  deps: OrderDeps,
  scope: Scope,
  params: CreateParams,
  idempotency: IdempotencyKey | undefined,
) {
  const replay = async () => {
    const previous = idempotency && (await previousUse(deps.db, deps.box, TRACE_KEYS, idempotency));
    return previous ? answerOf(previous) : undefined;
  };
  const previous = await replay();
  if (previous) return previous;

  const providers = providersFor(deps.providers, scope);
  const from = findCurrency(params.fromCcy);
  const to = findCurrency(params.toCcy);
  if (from) checkAddress(from, params.refundAddress, 'refundAddress');
  if (to) checkAddress(to, params.toAddress, 'toAddress');
  const refcode = await resolveRefcode(deps.db, deps.refcodes, scope, params.refcode);
  const fresh = await priceWith(providers, params, refcode.markup_bps);
  let quoted: QuoteRow | undefined;
  if (params.quoteId && params.type !== 'fixed')
    throw traceError('INVALID_REQUEST', 'quoteId applies to fixed-rate orders only; send "type": "fixed"');
  if (params.type === 'fixed') {
    const terms = {
      partner_id: scope.partnerId,
      mode: scope.mode,
      from_ccy: fresh.from.code,
      to_ccy: fresh.to.code,
      direction: params.direction,
      amount: params.amount,
      refcode: refcode.code,
    };
    try {
      quoted = params.quoteId
        ? await namedQuote(deps, scope, params.quoteId, terms)
        : await findLiveQuote(deps.db, terms);
    } catch (error) {
      // A retry of this same create may have committed since the replay check, using the quote: replay it.
      if (isTraceError(error, 'RATE_EXPIRED')) {
        const committed = await replay();
        if (committed) return committed;
      }
      throw error;
    }
  }
  const rowFor = (quote: QuoteRow | undefined): Omit<OrderRow, 'created_at' | 'updated_at'> => {
    const now = Date.now();
    const id = newObjectId(now);
    return {
      id,
      partner_id: scope.partnerId,
      mode: scope.mode,
      token_hash: sha256(token),
      refcode: refcode.code,
      type: params.type,
      direction: params.direction,
      from_ccy: fresh.from.code,
      to_ccy: fresh.to.code,
      ...(quote
        ? { from_amount: quote.from_amount, to_amount: quote.to_amount, rate: quote.rate }
        : { from_amount: fresh.from.amount, to_amount: fresh.to.amount, rate: fresh.rate }),
      markup_bps: fresh.markupBps,
      service_fee_bps: fresh.serviceFeeBps,
      rate_expires_at:
        params.type === 'fixed'
          ? (quote?.expires_at ?? new Date(now + deps.config.fixedRateTtlSeconds * 1000))
          : null,
      to_address: params.toAddress,
      refund_address: params.refundAddress,
      deposit_address: providers.chain.depositAddress(currencyOf(fresh.from.code), id),
      deposit_deadline: new Date(now + deps.config.depositWindowSeconds * 1000),
      status: 'NEW',
      deposit_tx: null,
      deposit_amount: null,
      deposit_confirmations: null,
      payout_tx: null,
      payout_amount: null,
      refund_tx: null,
      refund_amount: null,
      emergency_reason: null,
      emergency_choice: null,
      settle_at: null,
    };
  };
  const token = randomAlphanumeric(40);
  const insert = (quote: QuoteRow | undefined) =>
    deps.db.transaction().execute(async (trx) => {
      const order = await insertOrder(trx, rowFor(quote));
      await insertOrderEvent(trx, order, STATUS_CHANGED, orderDto(order));
      // The token is in this response only; a replay of the same key gets it again (sealed at rest).
      const response = { ...orderDto(order), token };
      if (idempotency) {
        // Before the quote: a concurrent retry of this same create waits here and then replays the first.
        const won = await storeAnswer(trx, deps.box, TRACE_KEYS, idempotency, {
          status: 200,
          body: response,
        });
        if (!won) throw new LostIdempotencyRace();
      }
      if (quote && !(await claimQuote(trx, quote.id, order.id))) throw new QuoteTaken();
      return response;
    });
  try {
    try {
      return await insert(quoted);
    } catch (error) {
      // A quote found by its terms that another create took meanwhile: this order gets a rate of its own.
      if (error instanceof QuoteTaken && !params.quoteId) return await insert(undefined);
      throw error;
    }
  } catch (error) {
    if (error instanceof LostIdempotencyRace) return replay();
    if (error instanceof QuoteTaken && params.quoteId) {
      const committed = await replay();
      if (committed) return committed;
      const taken = await findQuote(deps.db, scope, params.quoteId);
      throw quoteUnavailable(params.quoteId, taken);
    }
    throw error;
  }
}

/** Why a named fixed quote cannot back a new order: it expired, or it already backs another one. */
function quoteUnavailable(id: string, quote: QuoteRow | undefined): AppError {
  if (quote?.used_by)
    return traceError(
      'RATE_EXPIRED',
      `Quote ${id} already backs order ${quote.used_by}: a fixed quote holds for one order; call /api/v1/price again for a new one`,
      { orderId: quote.used_by },
    );
  const expiresAt = quote?.expires_at ?? new Date();
  return traceError(
    'RATE_EXPIRED',
    `The fixed rate of quote ${id} expired at ${expiresAt.toISOString()}; call /api/v1/price again for a new one`,
    { expiredAt: Math.floor(expiresAt.getTime() / 1000) },
  );
}

/** The fixed quote a create names: it must be the partner's, for the same terms, not expired and unused. */
async function namedQuote(
  deps: OrderDeps,
  scope: Scope,
  id: string,
  terms: Omit<
    QuoteRow,
    | 'id'
    | 'expires_at'
    | 'created_at'
    | 'from_amount'
    | 'to_amount'
    | 'rate'
    | 'markup_bps'
    | 'service_fee_bps'
    | 'used_by'
    | 'used_at'
  >,
) {
  const quoted = await findQuote(deps.db, scope, id);
  if (!quoted) throw traceError('INVALID_REQUEST', `quoteId ${id} is not one of your fixed quotes`);
  const differs = (Object.keys(terms) as Array<keyof typeof terms>).filter((k) => quoted[k] !== terms[k]);
  if (differs.length > 0)
    throw traceError(
      'INVALID_REQUEST',
      `quoteId ${id} was quoted for other terms (${differs.join(', ')}); send the same fromCcy, toCcy, direction, amount and refcode as the /price call`,
    );
  if (quoted.expires_at.getTime() <= Date.now() || quoted.used_by) throw quoteUnavailable(id, quoted);
  return quoted;
}

function tokenMatches(order: OrderRow, token: string): boolean {
  const expected = Buffer.from(order.token_hash, 'hex');
  const given = Buffer.from(sha256(token), 'hex');
  return timingSafeEqual(expected, given);
}

/**
 * Applies a due expiry and returns the order as it now stands. Reads call this, so it moves no money:
 * payouts and refunds are claimed, sent and recorded by the settlement loop alone (domain/payouts.ts).
 */
export async function advance(deps: SettleDeps, order: OrderRow): Promise<OrderRow> {
  if (order.status === 'NEW' && order.deposit_deadline.getTime() <= Date.now())
    return (await move(deps.db, order, ['NEW'], { status: 'EXPIRED' })) ?? (await reload(deps, order));
  return order;
}

async function reload(deps: SettleDeps, order: OrderRow): Promise<OrderRow> {
  return (await findOrderById(deps.db, order.id)) ?? order;
}

async function ownedOrder(deps: OrderDeps, scope: Scope, id: string, token?: string): Promise<OrderRow> {
  const order = await findOrder(deps.db, scope, id);
  if (!order || (token !== undefined && !tokenMatches(order, token)))
    throw traceError(
      'ORDER_NOT_FOUND',
      token === undefined
        ? `No order ${id} for these credentials`
        : `No order ${id} with this token for these credentials (the token is the one /api/v1/create returned)`,
    );
  return advance(deps, order);
}

/**
 * Cabinet: one page of a scope's orders, newest first, after the order `startingAfter` names; each one
 * advanced first so an order past its deposit deadline reads EXPIRED, as it does everywhere else.
 */
export async function listOrderPage(
  deps: SettleDeps,
  scope: Scope,
  page: { limit: number; startingAfter?: string | undefined; status?: ExchangeStatus | undefined },
): Promise<{ orders: OrderRow[]; hasMore: boolean }> {
  const after = page.startingAfter ? await findOrder(deps.db, scope, page.startingAfter) : undefined;
  if (page.startingAfter && !after)
    throw traceError('INVALID_REQUEST', `startingAfter: no order ${page.startingAfter}`);
  const rows = await listOrders(deps.db, scope, { limit: page.limit + 1, status: page.status, after });
  const orders = await Promise.all(rows.slice(0, page.limit).map((row) => advance(deps, row)));
  return { orders, hasMore: rows.length > page.limit };
}

/** POST /api/v1/order. */
export async function getOrder(deps: OrderDeps, scope: Scope, id: string, token: string) {
  return orderDto(await ownedOrder(deps, scope, id, token));
}

/** A float order is exchanged at the rate of the moment the deposit is confirmed, for what actually came. */
async function repriceFor(deps: OrderDeps, order: OrderRow, depositAmount: string) {
  const q = await priceWith(
    providersFor(deps.providers, order),
    { type: 'float', fromCcy: order.from_ccy, toCcy: order.to_ccy, direction: 'from', amount: depositAmount },
    order.markup_bps,
  );
  return {
    to_amount: q.to.amount,
    rate: q.rate,
    service_fee_bps: q.serviceFeeBps,
    from_amount: depositAmount,
  };
}

/** Why a confirmed deposit cannot be exchanged as agreed, or null when it can. */
function emergencyReason(order: OrderRow, depositAmount: string): string | null {
  const from = currencyOf(order.from_ccy);
  const amount = toUnits(depositAmount, from.decimals)!;
  if (amount < toUnits(from.minAmount, from.decimals)! || amount > toUnits(from.maxAmount, from.decimals)!)
    return 'LIMITS';
  if (order.type === 'fixed') {
    if (amount !== toUnits(order.from_amount, from.decimals)) return 'AMOUNT_MISMATCH';
    if (order.rate_expires_at && order.rate_expires_at.getTime() <= Date.now()) return 'RATE_EXPIRED';
  }
  return null;
}

/**
 * Sandbox chain simulator: a deposit of `amount` with `confirmations`. Unconfirmed → PENDING; confirmed →
 * EXCHANGE (then DONE after the simulated payout) or EMERGENCY when it cannot be exchanged as agreed. A
 * deposit to an EXPIRED order is an EMERGENCY too: the money arrived and must be exchanged or refunded.
 */
export async function simulateDeposit(
  deps: OrderDeps,
  scope: Scope,
  params: { id: string; amount?: string | undefined; confirmations?: number | undefined },
) {
  if (scope.mode !== 'test')
    throw traceError(
      'INVALID_REQUEST',
      'The chain simulator exists only in the sandbox; use your sandbox credentials',
    );
  let order = await ownedOrder(deps, scope, params.id);
  const from = currencyOf(order.from_ccy);
  const amount = params.amount ?? order.deposit_amount ?? order.from_amount;
  const units = toUnits(amount, from.decimals);
  if (units === null || units <= 0n)
    throw traceError(
      'INVALID_REQUEST',
      `amount must be a positive decimal string with at most ${from.decimals} decimals for ${from.code}`,
    );
  const confirmations = params.confirmations ?? from.confirmations;
  const deposit = {
    deposit_tx: order.deposit_tx ?? providersFor(deps.providers, scope).chain.depositTxId(from, order.id),
    deposit_amount: amount,
    deposit_confirmations: confirmations,
  };
  if (order.status === 'EXPIRED') {
    const moved = await move(deps.db, order, ['EXPIRED'], {
      ...deposit,
      status: 'EMERGENCY',
      emergency_reason: 'LATE_DEPOSIT',
    });
    return orderDto(moved ?? (await reload(deps, order)));
  }
  if (order.status !== 'NEW' && order.status !== 'PENDING')
    throw traceError(
      'INVALID_STATE',
      `Order ${order.id} is ${order.status}; a deposit can be simulated only while it is NEW or PENDING (or EXPIRED, for a late deposit)`,
    );
  order = (await move(deps.db, order, ['NEW', 'PENDING'], { ...deposit, status: 'PENDING' })) ?? order;
  if (confirmations < from.confirmations) return orderDto(await reload(deps, order));
  const reason = emergencyReason(order, amount);
  const confirmed = reason
    ? await move(deps.db, order, ['PENDING'], { status: 'EMERGENCY', emergency_reason: reason })
    : await move(deps.db, order, ['PENDING'], {
        status: 'EXCHANGE',
        ...(order.type === 'float' ? await repriceFor(deps, order, amount) : {}),
        settle_at: new Date(Date.now() + deps.config.sandboxSettleMs),
      });
  return orderDto(await advance(deps, confirmed ?? (await reload(deps, order))));
}

/** POST /api/v1/emergency: the partner decides what happens to a deposit that could not be exchanged as agreed. */
export async function resolveEmergency(
  deps: OrderDeps,
  scope: Scope,
  params: { id: string; token: string; choice: 'EXCHANGE' | 'REFUND'; address?: string | undefined },
) {
  const order = await ownedOrder(deps, scope, params.id, params.token);
  const actions = emergencyActions(order);
  if (!actions.includes(params.choice))
    throw traceError(
      order.status === 'EMERGENCY' && order.emergency_reason === 'LIMITS' && !order.emergency_choice
        ? 'AMOUNT_OUT_OF_RANGE'
        : 'INVALID_STATE',
      actions.length === 0
        ? `Order ${order.id} is ${order.status}${order.emergency_choice ? ` and ${order.emergency_choice} was already chosen` : ''}; only an EMERGENCY order awaiting a choice accepts one`
        : `The deposit is outside the limits for ${order.from_ccy}, so it can only be refunded (choice "REFUND")`,
    );
  const settleAt = new Date(Date.now() + deps.config.sandboxSettleMs);
  let changes: Parameters<typeof chooseEmergency>[2];
  if (params.choice === 'REFUND') {
    const refundAddress = params.address ?? order.refund_address;
    checkAddress(currencyOf(order.from_ccy), refundAddress, 'address');
    changes = { emergency_choice: 'REFUND', refund_address: refundAddress, settle_at: settleAt };
  } else {
    changes = {
      status: 'EXCHANGE',
      emergency_choice: 'EXCHANGE',
      ...(await repriceFor(deps, order, order.deposit_amount!)),
      settle_at: settleAt,
    };
  }
  // Concurrent choices (or a retry racing the first) decide once: the losers are told what was chosen.
  const moved = await deps.db.transaction().execute(async (trx) => {
    const chosen = await chooseEmergency(trx, order.id, changes);
    if (chosen && chosen.status !== order.status)
      await insertOrderEvent(trx, chosen, STATUS_CHANGED, orderDto(chosen));
    return chosen;
  });
  if (!moved) {
    const now = await reload(deps, order);
    throw traceError(
      'INVALID_STATE',
      `Order ${order.id} is ${now.status}${now.emergency_choice ? ` and ${now.emergency_choice} was already chosen` : ''}; only an EMERGENCY order awaiting a choice accepts one`,
    );
  }
  return orderDto(moved);
}
