import type { Scope } from '@0bit/core/scope';
import { type Db, inTransaction, json, jsonb, olderThan, preparedStatement } from '@0bit/db/connection';
import type { GateSessionsTable } from '@0bit/db/schema';
import { traceContextSelect } from '@0bit/webhooks/store';
import { CompiledQuery, type RawBuilder, type Selectable, sql } from 'kysely';
import { insertEventsAfter, type NewEvent } from './events.ts';

export type SessionRow = Selectable<GateSessionsTable>;
/** A session row plus whether it is past `expires_at` by the database clock. */
export type SessionRead = SessionRow & { due: boolean };

type Status = SessionRow['status'];

const withDue = sql<boolean>`(expires_at <= now())`.as('due');

/** A new session as the one-statement create writes it: every value known before the write. */
export interface NewSession {
  id: string;
  partner_id: string;
  mode: SessionRow['mode'];
  flow: SessionRow['flow'];
  amount: string;
  currency: string;
  target_token: string | null;
  target_network: string | null;
  return_url: string;
  cancel_url: string | null;
  wallet_address: string | null;
  user_reference: string | null;
  lock_wallet_address: boolean;
  destination_tokens: string[] | null;
  destination_networks: string[] | null;
  kyc_pre_verified: boolean;
  kyc_package_sealed: string | null;
  metadata: Record<string, string>;
  client_secret_hash: string;
  expires_at: string;
  created_at: string;
}

/**
 * The session insert and its events as CTEs (the session's is named `session`) of runOnceInOneStatement: it reads the CTE `claim`, so it
 * writes only when the request owns its Idempotency-Key. Casts: in INSERT … SELECT, parameters are not
 * typed by the target columns.
 */
export function insertSessionAfterClaim(row: NewSession, events: NewEvent[]): RawBuilder<unknown> {
  // With tracing on, the trace context for the deliveries the trigger inserts (carryTraceContext's job).
  const trace = traceContextSelect();
  return sql`${trace ? sql`trace AS (${trace}),` : sql``} session AS (
    INSERT INTO gate_sessions (id, partner_id, mode, status, flow, amount, currency, target_token, target_network,
      return_url, cancel_url, wallet_address, user_reference, lock_wallet_address, destination_tokens,
      destination_networks, kyc_pre_verified, kyc_package_sealed, metadata, client_secret_hash, expires_at,
      created_at)
    SELECT ${row.id}, ${row.partner_id}, ${row.mode}, 'open', ${row.flow}, ${row.amount}, ${row.currency},
      ${row.target_token}, ${row.target_network}, ${row.return_url}, ${row.cancel_url}, ${row.wallet_address},
      ${row.user_reference}, CAST(${row.lock_wallet_address} AS boolean),
      CAST(${row.destination_tokens && JSON.stringify(row.destination_tokens)} AS jsonb),
      CAST(${row.destination_networks && JSON.stringify(row.destination_networks)} AS jsonb),
      CAST(${row.kyc_pre_verified} AS boolean), ${row.kyc_package_sealed},
      CAST(${JSON.stringify(row.metadata)} AS json), ${row.client_secret_hash},
      CAST(${row.expires_at} AS timestamptz), CAST(${row.created_at} AS timestamptz)
    FROM claim${trace ? sql`, trace` : sql``}
    RETURNING id), ${insertEventsAfter('session', events)}`;
}

/** Inserts a new session (in the caller's transaction). */
export async function insertSession(db: Db, row: NewSession): Promise<void> {
  await db
    .insertInto('gate_sessions')
    .values({
      ...row,
      status: 'open',
      metadata: json(row.metadata),
      destination_tokens: row.destination_tokens ? jsonb(row.destination_tokens) : null,
      destination_networks: row.destination_networks ? jsonb(row.destination_networks) : null,
    })
    .execute();
}

/** The hottest read (every retrieve): one text, prepared once per PostgreSQL connection, no query building. */
const FIND_SESSION = preparedStatement(
  'find_session',
  'SELECT *, (expires_at <= now()) AS due FROM gate_sessions WHERE id = $1 AND partner_id = $2 AND mode = $3',
);

export async function findSession(db: Db, scope: Scope, id: string): Promise<SessionRead | undefined> {
  const result = await db.executeQuery<SessionRead>(
    CompiledQuery.raw(FIND_SESSION, [id, scope.partnerId, scope.mode]),
  );
  return result.rows[0];
}

/**
 * The session's row lock: every close (cancel, lazy expiry, sweep, completion, sandbox helpers) and every
 * widget confirm's claim take it first, in their transaction, so a claim and a close never interleave —
 * a claim sees the close, or the close sees the claim (the intent `processing`) and refuses. Call inside a
 * transaction; the statements after it see what committed before the lock was granted (READ COMMITTED).
 */
export async function lockSession(trx: Db, id: string): Promise<SessionRead | undefined> {
  return trx
    .selectFrom('gate_sessions')
    .selectAll()
    .select(withDue)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Moves an open session to a terminal status, exactly once however many requests race, and never while a
 * widget payment of it is in flight (the payment completes it; it expires afterwards if still due). Takes
 * the session's lock first (lockSession), then re-reads under it. `requireDue` selects sessions past their
 * deadline (expiry); otherwise only sessions still before it move.
 */
export async function closeSession(
  db: Db,
  scope: Scope,
  id: string,
  to: Exclude<Status, 'open'>,
  options: { requireDue: boolean; txRefid?: string; ignoreDeadline?: boolean },
): Promise<SessionRow | undefined> {
  return inTransaction(db, async (trx) => {
    await lockSession(trx, id);
    let query = trx
      .updateTable('gate_sessions')
      .set({ status: to, closed_at: sql`now()`, ...(options.txRefid ? { tx_refid: options.txRefid } : {}) })
      .where('id', '=', id)
      .where('partner_id', '=', scope.partnerId)
      .where('mode', '=', scope.mode)
      .where('status', '=', 'open')
      .where(noPaymentInFlight);
    if (!options.ignoreDeadline)
      query = query.where(
        options.requireDue ? sql<boolean>`expires_at <= now()` : sql<boolean>`expires_at > now()`,
      );
    return query.returningAll().executeTakeFirst();
  });
}

/**
 * A session whose widget payment is in flight is not closed under it: the payment (or the recovery pass)
 * completes or fails it first. The completing payment has already moved its intent to `succeeded` in the
 * same transaction, so this holds for its own completion too.
 */
const noPaymentInFlight = sql<boolean>`NOT EXISTS (
  SELECT 1 FROM widget_intents w WHERE w.session_id = gate_sessions.id AND w.status = 'processing'
)`;

/**
 * Expires up to `limit` open sessions past their deadline (of one scope, or all). Locks them first, SKIP
 * LOCKED (a session being claimed or closed is left for the next pass), then expires, in a second statement
 * that sees every claim committed before the locks were granted, those without a payment in flight. Call
 * inside a transaction.
 */
export async function expireDueSessions(db: Db, scope: Scope | null, limit: number): Promise<SessionRow[]> {
  return inTransaction(db, async (trx) => {
    let due = trx
      .selectFrom('gate_sessions')
      .select('id')
      .where('status', '=', 'open')
      .where('expires_at', '<=', sql<Date>`now()`)
      // A prefilter (re-checked below) so sessions under a payment do not fill every pass's batch.
      .where(noPaymentInFlight);
    if (scope) due = due.where('partner_id', '=', scope.partnerId).where('mode', '=', scope.mode);
    const locked = await due.limit(limit).forUpdate().skipLocked().execute();
    if (locked.length === 0) return [];
    return trx
      .updateTable('gate_sessions')
      .set({ status: 'expired', closed_at: sql`now()` })
      .where(
        'id',
        'in',
        locked.map((row) => row.id),
      )
      .where('status', '=', 'open')
      .where('expires_at', '<=', sql<Date>`now()`)
      .where(noPaymentInFlight)
      .returningAll()
      .execute();
  });
}

export async function listSessions(
  db: Db,
  scope: Scope,
  options: { limit: number; after?: Pick<SessionRow, 'id' | 'created_at'> | undefined },
): Promise<SessionRow[]> {
  let query = db
    .selectFrom('gate_sessions')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode);
  const after = options.after;
  if (after) query = query.where(olderThan(after));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export async function insertIntent(
  db: Db,
  row: { id: string; session_id: string; status: 'failed' | 'succeeded'; failure_reason: string | null },
) {
  return db.insertInto('session_intents').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The session a client secret belongs to, in any scope (the caller checks partner and mode). */
export async function findSessionByClientSecretHash(db: Db, hash: string): Promise<SessionRead | undefined> {
  return db
    .selectFrom('gate_sessions')
    .selectAll()
    .select(withDue)
    .where('client_secret_hash', '=', hash)
    .executeTakeFirst();
}

/**
 * What a customer (user_reference) has in sessions of a currency created today (UTC), open or completed,
 * as a decimal string. Takes a transaction-scoped advisory lock on the customer first, so two creates for
 * the same customer are counted one after the other (call inside the create's transaction).
 */
export async function customerDailyTotal(
  db: Db,
  scope: Scope,
  userReference: string,
  currency: string,
): Promise<string> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`${scope.partnerId}:${scope.mode}:${userReference}`}))`.execute(
    db,
  );
  const row = await db
    .selectFrom('gate_sessions')
    .select(sql<string>`coalesce(sum(amount::numeric), 0)::text`.as('total'))
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('user_reference', '=', userReference)
    .where('currency', '=', currency)
    .where('status', 'in', ['open', 'completed'])
    .where('created_at', '>=', sql<Date>`date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`)
    .executeTakeFirstOrThrow();
  return row.total;
}
