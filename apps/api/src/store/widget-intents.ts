import { type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from './db.ts';
import type { IntentStatus, WidgetIntentsTable } from './schema.ts';

export type WidgetIntentRow = Selectable<WidgetIntentsTable>;

export async function insertWidgetIntent(
  db: Db,
  row: Omit<WidgetIntentRow, 'created_at' | 'updated_at'>,
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

/** Moves an intent only from the statuses given: a double-clicked confirm charges once. */
export async function updateWidgetIntent(
  db: Db,
  id: string,
  from: readonly IntentStatus[],
  changes: Updateable<WidgetIntentsTable>,
): Promise<WidgetIntentRow | undefined> {
  return db
    .updateTable('widget_intents')
    .set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', 'in', from)
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

export async function kycVerifiedAt(db: Db, sessionId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('gate_sessions')
    .select('kyc_verified_at')
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return row?.kyc_verified_at ?? null;
}
