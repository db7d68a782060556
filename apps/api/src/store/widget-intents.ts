import type { Mode } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import type { IntentPhase, IntentStatus, WidgetIntentsTable } from '@0bit/db/schema';
import { type Selectable, sql, type Updateable } from 'kysely';

export type WidgetIntentRow = Selectable<WidgetIntentsTable>;

/** Statuses in which an intent may still move money: at most one per session (widget_intents_one_active). */
export const ACTIVE_INTENT_STATUSES = ['requires_payment', 'requires_action', 'processing'] as const;

export async function insertWidgetIntent(
  db: Db,
  row: Omit<
    WidgetIntentRow,
    'created_at' | 'updated_at' | 'phase' | 'attempt' | 'charge_reference' | 'payout_reference'
  >,
): Promise<WidgetIntentRow> {
  return db.insertInto('widget_intents').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findWidgetIntent(
  db: Db,
  sessionId: string,
  id: string,
): Promise<WidgetIntentRow | undefined> {
  return db
    .selectFrom('widget_intents')
    .selectAll()
    .where('id', '=', id)
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
}

/** The session's one active intent, locked until the transaction ends (creating another waits on it). */
export async function findActiveIntentForUpdate(
  trx: Db,
  sessionId: string,
): Promise<WidgetIntentRow | undefined> {
  return trx
    .selectFrom('widget_intents')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('status', 'in', ACTIVE_INTENT_STATUSES)
    .forUpdate()
    .executeTakeFirst();
}

export async function findWidgetIntentById(db: Db, id: string): Promise<WidgetIntentRow | undefined> {
  return db.selectFrom('widget_intents').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Compare-and-set: moves an intent only from the statuses given (and, when asked, only from the money step
 * and confirm attempt the caller claimed), so of racing confirms and recoveries exactly one moves it.
 */
export async function updateWidgetIntent(
  db: Db,
  id: string,
  from: readonly IntentStatus[],
  changes: Updateable<WidgetIntentsTable>,
  guard: { phase?: IntentPhase | null; attempt?: number } = {},
): Promise<WidgetIntentRow | undefined> {
  let query = db
    .updateTable('widget_intents')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', from);
  if (guard.phase !== undefined)
    query = guard.phase === null ? query.where('phase', 'is', null) : query.where('phase', '=', guard.phase);
  if (guard.attempt !== undefined) query = query.where('attempt', '=', guard.attempt);
  return query.returningAll().executeTakeFirst();
}

export type InFlightIntent = WidgetIntentRow & { partner_id: string; mode: Mode };

/** Intents left `processing` longer than `olderThanMs` (a confirm that died or lost its provider's answer). */
export async function findInFlightIntents(
  db: Db,
  olderThanMs: number,
  limit: number,
): Promise<InFlightIntent[]> {
  return db
    .selectFrom('widget_intents as i')
    .innerJoin('gate_sessions as s', 's.id', 'i.session_id')
    .selectAll('i')
    .select(['s.partner_id', 's.mode'])
    .where('i.status', '=', 'processing')
    .where('i.updated_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
    .orderBy('i.updated_at')
    .limit(limit)
    .execute();
}

/**
 * Takes an in-flight intent for one recovery pass: touches `updated_at` only while it is still stale, so of
 * several API instances sweeping at once one resolves it and the others leave it for a threshold.
 */
export async function leaseInFlightIntent(
  db: Db,
  id: string,
  olderThanMs: number,
): Promise<WidgetIntentRow | undefined> {
  return db
    .updateTable('widget_intents')
    .set({ updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'processing')
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
    .returningAll()
    .executeTakeFirst();
}

export async function markKycVerified(db: Db, sessionId: string): Promise<void> {
  await db
    .updateTable('gate_sessions')
    .set({ kyc_verified_at: sql`now()` })
    .where('id', '=', sessionId)
    .where('kyc_verified_at', 'is', null)
    .execute();
}

/** A later verification that was rejected or held for review withdraws an earlier pass: the latest one counts. */
export async function clearKycVerified(db: Db, sessionId: string): Promise<void> {
  await db.updateTable('gate_sessions').set({ kyc_verified_at: null }).where('id', '=', sessionId).execute();
}

export async function kycVerifiedAt(db: Db, sessionId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('gate_sessions')
    .select('kyc_verified_at')
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return row?.kyc_verified_at ?? null;
}

/** Whether a confirm (or recovery) of this session is between its claim and its outcome. */
export async function hasPaymentInFlight(db: Db, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('widget_intents')
    .select('id')
    .where('session_id', '=', sessionId)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks `kyc.required` as emitted for the session; true only for the first caller (one event per session). */
export async function claimKycRequiredNotice(db: Db, sessionId: string): Promise<boolean> {
  const row = await db
    .updateTable('gate_sessions')
    .set({ kyc_required_notified_at: sql`now()` })
    .where('id', '=', sessionId)
    .where('kyc_required_notified_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A session that closes without being paid (cancelled, expired) ends its open intent too, so its
 * transaction_details and its deposit address stop saying "requires_payment". A payment in flight
 * (`processing`) is left to its outcome.
 */
export async function endUnpaidIntents(
  db: Db,
  sessionIds: string[],
  reason: 'session_cancelled' | 'session_expired',
): Promise<void> {
  if (sessionIds.length === 0) return;
  await db
    .updateTable('widget_intents')
    .set({ status: 'failed', failure_reason: reason, updated_at: sql`now()` })
    .where('session_id', 'in', sessionIds)
    .where('status', 'in', ['requires_payment', 'requires_action'])
    .execute();
}

/** Every widget intent of these sessions (for transaction_details on reads, lists and events). */
export async function findIntentsOfSessions(db: Db, sessionIds: string[]): Promise<WidgetIntentRow[]> {
  if (sessionIds.length === 0) return [];
  return db.selectFrom('widget_intents').selectAll().where('session_id', 'in', sessionIds).execute();
}

/** The session's one active intent, if any (a plain read). */
export async function findActiveIntent(db: Db, sessionId: string): Promise<WidgetIntentRow | undefined> {
  return db
    .selectFrom('widget_intents')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('status', 'in', ACTIVE_INTENT_STATUSES)
    .executeTakeFirst();
}
