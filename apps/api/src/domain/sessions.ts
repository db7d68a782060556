import { randomBytes } from 'node:crypto';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionError,
  ValidationError,
} from '@0bit/core/errors';
import { isObjectId, newEventId, newObjectId } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import { toIso } from '@0bit/core/time';
import { type Db, inTransaction } from '@0bit/db/connection';
import type { OneStatement } from '@0bit/db/idempotency';
import { insertEvent, type NewEvent } from '../store/events.ts';
import {
  closeSession,
  expireDueSessions,
  findSession,
  insertIntent,
  insertSession,
  insertSessionAfterClaim,
  listSessions as listSessionRows,
  lockSession,
  type NewSession,
  type SessionRow,
} from '../store/sessions.ts';
import { endUnpaidIntents, findIntentsOfSessions, hasPaymentInFlight } from '../store/widget-intents.ts';
import { checkTarget } from './catalog.ts';
import { appendEvent, type EventType } from './events.ts';
import { generateClientSecret, hashSecret } from './keys.ts';
import {
  type AmountBoundsByCurrency,
  checkAmountBounds,
  checkCustomerDailyLimit,
  DEFAULT_AMOUNT_BOUNDS,
} from './limits.ts';
import { canonicalAmount, isCurrency } from './money.ts';
import { chargeSession } from './quotas.ts';
import { storyIntent, transactionDetails } from './ramp/details.ts';
import type { CreateSessionInput, GateSession } from './shapes.ts';

export type SessionStatus = SessionRow['status'];

export interface PartnerContext {
  allowed_domains: string[];
  kyc_trusted: boolean;
  /** This mode's monthly quota (null: unlimited). */
  monthly_sessions: number | null;
  /** Per-customer (user_reference) daily limits by currency, set by 0Bit admin; null: none. */
  customer_daily_limits?: Record<string, string> | null;
}

/** Session lifetime rules (documented in docs/sessions.md). */
export const SESSION_LIFETIME = {
  defaultSeconds: 24 * 3600,
  maxSeconds: 7 * 24 * 3600,
  minSeconds: { test: 1, live: 30 * 60 },
} as const;

/** Sessions as partners see them, each with its transaction_details (one query for all of them). */
export async function presentSessions(db: Db, rows: SessionRow[]): Promise<GateSession[]> {
  const intents = await findIntentsOfSessions(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const story = storyIntent(intents.filter((i) => i.session_id === row.id));
    return { ...toGateSession(row), transaction_details: story ? transactionDetails(story, row.mode) : null };
  });
}

export async function presentSession(db: Db, row: SessionRow): Promise<GateSession> {
  return (await presentSessions(db, [row]))[0]!;
}

/** A session row as read, or as the create writes it (timestamps as ISO strings). */
type SessionFields = Omit<
  SessionRow,
  'expires_at' | 'created_at' | 'kyc_package_sealed' | 'client_secret_hash'
> & {
  expires_at: Date | string;
  created_at: Date | string;
};

/** The session object of a row, without reading its intents (transaction_details: null). */
export function toGateSession(
  row: Omit<SessionFields, 'tx_refid' | 'closed_at' | 'kyc_verified_at' | 'kyc_required_notified_at'>,
): GateSession {
  return {
    id: row.id,
    object: 'gate_session',
    partner_id: row.partner_id,
    mode: row.mode,
    flow: row.flow,
    amount: row.amount,
    currency: row.currency,
    target_token: row.target_token,
    target_network: row.target_network,
    return_url: row.return_url,
    cancel_url: row.cancel_url,
    status: row.status,
    expires_at: toIso(row.expires_at),
    created_at: toIso(row.created_at),
    wallet_address: row.wallet_address,
    user_reference: row.user_reference,
    kyc_pre_verified: row.kyc_pre_verified,
    metadata: row.metadata,
    lock_wallet_address: row.lock_wallet_address,
    destination_tokens: row.destination_tokens,
    destination_networks: row.destination_networks,
    transaction_details: null,
  };
}

function checkRedirectUrl(field: string, value: string, allowedDomains: string[]): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${field} must be an absolute URL such as "https://partner.example/complete"`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${field} must use http or https`;
  if (!allowedDomains.includes(url.origin))
    return `${field} origin ${url.origin} is not in your allowed_domains (${allowedDomains.join(', ') || 'none registered'}); add it in Partner Hub or use one of them`;
  return null;
}

function resolveExpiry(scope: Scope, expiresAt: string | undefined, problems: string[]): Date | null {
  if (expiresAt === undefined) return null;
  const when = new Date(expiresAt);
  const seconds = (when.getTime() - Date.now()) / 1000;
  const min = SESSION_LIFETIME.minSeconds[scope.mode];
  if (Number.isNaN(when.getTime())) problems.push('expires_at must be an ISO-8601 date-time');
  else if (seconds < min)
    problems.push(
      `expires_at must be at least ${scope.mode === 'live' ? '30 minutes' : '1 second'} in the future in ${scope.mode} mode`,
    );
  else if (seconds > SESSION_LIFETIME.maxSeconds)
    problems.push('expires_at must be at most 7 days in the future');
  return when;
}

/** The create's checks of its input (422 with every problem, 403 for an untrusted kyc_package). */
function checkCreate(
  scope: Scope,
  partner: PartnerContext,
  input: CreateSessionInput,
  amountBounds: AmountBoundsByCurrency = DEFAULT_AMOUNT_BOUNDS,
): { amount: string; expiresAt: Date | null; lockWallet: boolean } {
  const problems: string[] = [];
  let amount = input.amount;
  if (!isCurrency(input.currency))
    problems.push(`currency "${input.currency}" is not an ISO 4217 currency code; use e.g. "EUR" or "USD"`);
  else {
    const checked = canonicalAmount(input.amount, input.currency);
    if (checked.problem) problems.push(checked.problem);
    else amount = checked.value!;
  }
  for (const field of ['return_url', 'cancel_url'] as const) {
    const value = input[field];
    const problem = value == null ? null : checkRedirectUrl(field, value, partner.allowed_domains);
    if (problem) problems.push(problem);
  }
  problems.push(...checkTarget(input.target_token ?? null, input.target_network ?? null));
  const lockWallet = input.lock_wallet_address ?? input.wallet_address != null;
  if (lockWallet && input.wallet_address == null)
    problems.push('lock_wallet_address needs a wallet_address to lock; send one or set it to false');
  if (
    input.target_token &&
    input.destination_tokens &&
    !input.destination_tokens.includes(input.target_token)
  )
    problems.push(`target_token ${input.target_token} is not in destination_tokens`);
  if (
    input.target_network &&
    input.destination_networks &&
    !input.destination_networks.includes(input.target_network)
  )
    problems.push(`target_network ${input.target_network} is not in destination_networks`);
  const expiresAt = resolveExpiry(scope, input.expires_at, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  checkAmountBounds(amount, input.currency, amountBounds);

  if (input.kyc_package && !partner.kyc_trusted)
    throw new PermissionError(
      'kyc_package is only accepted for partners that 0Bit has marked kyc_trusted; remove it or contact 0Bit to enable trusted KYC',
      'kyc_package_not_trusted',
    );
  return { amount, expiresAt, lockWallet };
}

/**
 * The new session, its client secret and its events, all known before anything is written: the timestamps
 * come from this process's clock (created_at; expires_at when not given: created_at + the default lifetime).
 */
function newSession(
  box: SecretBox,
  scope: Scope,
  input: CreateSessionInput,
  checked: { amount: string; expiresAt: Date | null; lockWallet: boolean },
): { row: NewSession; session: GateSession; clientSecret: string; events: NewEvent[] } {
  const now = Date.now();
  const id = newObjectId(now);
  const clientSecret = generateClientSecret(id);
  const row: NewSession = {
    id,
    partner_id: scope.partnerId,
    mode: scope.mode,
    flow: input.flow ?? null,
    amount: checked.amount,
    currency: input.currency,
    target_token: input.target_token ?? null,
    target_network: input.target_network ?? null,
    return_url: input.return_url,
    cancel_url: input.cancel_url ?? null,
    wallet_address: input.wallet_address ?? null,
    user_reference: input.user_reference ?? null,
    lock_wallet_address: checked.lockWallet,
    destination_tokens: input.destination_tokens ?? null,
    destination_networks: input.destination_networks ?? null,
    kyc_pre_verified: input.kyc_package !== undefined,
    kyc_package_sealed: input.kyc_package ? box.seal(JSON.stringify(input.kyc_package)) : null,
    metadata: input.metadata ?? {},
    client_secret_hash: hashSecret(clientSecret),
    expires_at: (checked.expiresAt ?? new Date(now + SESSION_LIFETIME.defaultSeconds * 1000)).toISOString(),
    created_at: new Date(now).toISOString(),
  };
  const session = toGateSession({ ...row, status: 'open' });
  const event = (type: EventType, data: Record<string, unknown>): NewEvent => ({
    id: newEventId(),
    partner_id: scope.partnerId,
    mode: scope.mode,
    type,
    session_id: id,
    data,
  });
  const events = [event('gate_session.created', { ...session })];
  if (input.kyc_package)
    // Redacted acceptance (glossary): correlation fields and the provider name, never the package itself.
    events.push(
      event('gate_session.kyc_package_accepted', {
        session_id: id,
        partner_id: scope.partnerId,
        mode: scope.mode,
        provider: input.kyc_package.provider,
        accepted_at: session.created_at,
        user_reference: session.user_reference,
      }),
    );
  return { row, session, clientSecret, events };
}

/**
 * Creates a session inside the caller's transaction (with runIdempotent): a partner with a monthly quota
 * is charged first (and refused past it), and a customer's daily limit is summed under its lock — both need
 * the database's answer before the insert (needsTransaction).
 */
export async function createSession(
  db: Db,
  box: SecretBox,
  scope: Scope,
  partner: PartnerContext,
  input: CreateSessionInput,
  amountBounds: AmountBoundsByCurrency = DEFAULT_AMOUNT_BOUNDS,
): Promise<{ session: GateSession; clientSecret: string }> {
  const checked = checkCreate(scope, partner, input, amountBounds);
  await checkCustomerDailyLimit(
    db,
    scope,
    partner.customer_daily_limits ?? null,
    input.user_reference,
    checked.amount,
    input.currency,
  );
  await chargeSession(db, scope, partner.monthly_sessions);
  const { row, session, clientSecret, events } = newSession(box, scope, input, checked);
  await insertSession(db, row);
  for (const event of events) await insertEvent(db, event);
  return { session, clientSecret };
}

/** A quota to charge or a customer's daily limit to sum: the create reads before it writes. */
export function createNeedsTransaction(partner: PartnerContext, input: CreateSessionInput): boolean {
  return (
    partner.monthly_sessions !== null ||
    Boolean(partner.customer_daily_limits && input.user_reference != null)
  );
}

/**
 * The create of a partner without a quota as one statement (runIdempotentStatement): the session and its
 * events are CTEs after the Idempotency-Key's claim, so the claim, the stored answer, the session and its
 * events commit together in one round trip. Throws the create's 4xx before anything is written.
 */
export function planCreateSession(
  box: SecretBox,
  scope: Scope,
  partner: PartnerContext,
  input: CreateSessionInput,
  amountBounds: AmountBoundsByCurrency = DEFAULT_AMOUNT_BOUNDS,
): { session: GateSession; clientSecret: string; writes: OneStatement['writes'] } {
  if (createNeedsTransaction(partner, input)) throw new Error('this create runs in a transaction');
  const checked = checkCreate(scope, partner, input, amountBounds);
  const { row, session, clientSecret, events } = newSession(box, scope, input, checked);
  return {
    session,
    clientSecret,
    writes: insertSessionAfterClaim(row, events),
  };
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(
    `No session ${id} for this key. Sessions are visible only to the partner and mode (test/live) that created them.`,
  );
}

/** Lazy expiry: the first read past `expires_at` expires the session and emits its event, exactly once. */
async function expireIfDue(db: Db, scope: Scope, id: string): Promise<SessionRow | undefined> {
  return inTransaction(db, async (trx) => {
    const expired = await closeSession(trx, scope, id, 'expired', { requireDue: true });
    if (expired) {
      await endUnpaidIntents(trx, [id], 'session_expired');
      await appendEvent(trx, scope, 'gate_session.expired', { ...(await presentSession(trx, expired)) }, id);
    }
    return expired;
  });
}

export async function retrieveSession(db: Db, scope: Scope, id: string): Promise<GateSession> {
  if (!isObjectId(id)) throw notFound(id);
  const row = await findSession(db, scope, id);
  if (!row) throw notFound(id);
  if (row.status === 'open' && row.due) {
    const expired = await expireIfDue(db, scope, id);
    if (expired) return presentSession(db, expired);
    // Another request expired it (or closed it) first: read what it left.
    const current = await findSession(db, scope, id);
    return presentSession(db, current ?? row);
  }
  return presentSession(db, row);
}

/** Expires due sessions of a scope (or of everyone) and emits their events; used by list and the sweep. */
export async function expireDue(db: Db, scope: Scope | null, limit = 500): Promise<number> {
  return inTransaction(db, async (trx) => {
    const expired = await expireDueSessions(trx, scope, limit);
    await endUnpaidIntents(
      trx,
      expired.map((row) => row.id),
      'session_expired',
    );
    for (const session of await presentSessions(trx, expired))
      await appendEvent(
        trx,
        { partnerId: session.partner_id, mode: session.mode },
        'gate_session.expired',
        { ...session },
        session.id,
      );
    return expired.length;
  });
}

export async function listSessions(
  db: Db,
  scope: Scope,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ data: GateSession[]; has_more: boolean }> {
  // Expire what is due first so the list shows true statuses (and their events exist).
  while ((await expireDue(db, scope)) === 500) {}
  let after: SessionRow | undefined;
  if (options.startingAfter) {
    after = isObjectId(options.startingAfter)
      ? await findSession(db, scope, options.startingAfter)
      : undefined;
    if (!after)
      throw new BadRequestError(
        `starting_after "${options.startingAfter}" is not a session of this partner and mode; pass the id of the last session of the previous page`,
      );
  }
  const rows = await listSessionRows(db, scope, { limit: options.limit + 1, after });
  return {
    data: await presentSessions(db, rows.slice(0, options.limit)),
    has_more: rows.length > options.limit,
  };
}

/**
 * Before a state-changing write on a session, settle its expiry in a transaction of its own, so a
 * write refused because the session just expired does not roll the expiry (and its event) back.
 */
export async function settleExpiry(db: Db, scope: Scope, id: string): Promise<void> {
  if (!isObjectId(id)) throw notFound(id);
  const row = await findSession(db, scope, id);
  if (!row) throw notFound(id);
  if (row.status === 'open' && row.due) await expireIfDue(db, scope, id);
}

async function terminalConflict(db: Db, scope: Scope, id: string, action: string): Promise<never> {
  const current = await findSession(db, scope, id);
  if (!current) throw notFound(id);
  if (current.status === 'open' && (await hasPaymentInFlight(db, id)))
    throw new ConflictError(
      `Session ${id} has a payment in flight; it completes or fails by itself (within minutes). Retrieve the session then.`,
    );
  throw new ConflictError(
    `Session ${id} is already ${current.status === 'open' ? 'expired' : current.status}; only open sessions can be ${action}. Retrieve it to read its final state.`,
  );
}

export async function cancelSession(db: Db, scope: Scope, id: string): Promise<GateSession> {
  if (!isObjectId(id)) throw notFound(id);
  const row = await closeSession(db, scope, id, 'cancelled', { requireDue: false });
  if (!row) return terminalConflict(db, scope, id, 'cancelled');
  await endUnpaidIntents(db, [id], 'session_cancelled');
  const session = await presentSession(db, row);
  await appendEvent(db, scope, 'gate_session.cancelled', { ...session }, id);
  return session;
}

/** Sandbox helper: completes an open test session with a simulated settlement transaction. */
export async function completeTestSession(db: Db, scope: Scope, id: string): Promise<GateSession> {
  return completeSession(db, scope, id, `0x${randomBytes(32).toString('hex')}`);
}

/**
 * Settlement happened: the session completes with its transaction reference and gate_session.completed is
 * emitted, once (a concurrent completion or an expiry that won answers 409). Call inside a transaction.
 */
export async function completeSession(
  db: Db,
  scope: Scope,
  id: string,
  txRefid: string,
  options: { ignoreDeadline?: boolean } = {},
): Promise<GateSession> {
  const row = await closeSession(db, scope, id, 'completed', { requireDue: false, txRefid, ...options });
  if (!row) return terminalConflict(db, scope, id, 'completed');
  await insertIntent(db, { id: newObjectId(), session_id: id, status: 'succeeded', failure_reason: null });
  // What was actually paid out: the succeeded intent, recorded in this same transaction before this call.
  const session = await presentSession(db, row);
  await appendEvent(db, scope, 'gate_session.completed', { ...session, tx_refid: txRefid }, id);
  return session;
}

export interface GateIntent {
  id: string;
  object: 'gate_intent';
  session_id: string;
  status: 'failed';
  failure_reason: string;
  created_at: string;
}

/** A payment attempt in the widget failed: the session stays open (the user may retry) and partners hear of it. */
export async function reportPaymentFailure(
  db: Db,
  scope: Scope,
  session: GateSession,
  failureReason: string,
): Promise<void> {
  // The session as it is now, with the failed attempt in its transaction_details (last_error).
  const row = await findSession(db, scope, session.id);
  const current = row ? await presentSession(db, row) : session;
  await appendEvent(
    db,
    scope,
    'gate_session.failed',
    { ...current, failure_reason: failureReason },
    session.id,
  );
}

/**
 * Sandbox helper: records a failed intent; the session stays open and no webhook is emitted (spec). Under
 * the session's lock, like every close, so it never lands under a widget payment in flight (409).
 */
export async function failTestIntent(db: Db, scope: Scope, id: string): Promise<GateIntent> {
  if (!isObjectId(id)) throw notFound(id);
  const intent = await inTransaction(db, async (trx) => {
    const row = await findSession(trx, scope, id);
    if (!row) throw notFound(id);
    const locked = await lockSession(trx, id);
    if (locked?.status !== 'open' || locked.due || (await hasPaymentInFlight(trx, id))) return null;
    return insertIntent(trx, {
      id: newObjectId(),
      session_id: id,
      status: 'failed',
      failure_reason: 'simulated_failure',
    });
  });
  if (!intent) return terminalConflict(db, scope, id, 'failed');
  return {
    id: intent.id,
    object: 'gate_intent',
    session_id: id,
    status: 'failed',
    failure_reason: 'simulated_failure',
    created_at: toIso(intent.created_at),
  };
}

/**
 * Sandbox helper: the user of this session must verify their identity. Emits `kyc.required` (test mode
 * only; live KYC is decided by the verification provider) so partners can build and test that branch.
 */
export async function requireTestKyc(db: Db, scope: Scope, id: string): Promise<GateSession> {
  const row = await findSession(db, scope, id);
  if (!row) throw notFound(id);
  if (row.status !== 'open' || row.due)
    return terminalConflict(db, scope, id, 'sent to identity verification');
  const session = toGateSession(row);
  await appendEvent(
    db,
    scope,
    'kyc.required',
    {
      session_id: id,
      partner_id: scope.partnerId,
      mode: scope.mode,
      user_reference: session.user_reference,
      reason: 'sandbox_test_helper',
      failure_reason: null,
    },
    id,
  );
  return session;
}
