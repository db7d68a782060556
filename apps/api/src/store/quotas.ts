import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { sql } from 'kysely';

/** The current UTC month, "YYYY-MM", by the database clock. */
const PERIOD = sql<string>`to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')`;

export interface UsageRow {
  period: string;
  sessions_created: number;
  warned: boolean;
  exhausted: boolean;
}

export async function setQuota(db: Db, scope: Scope, monthlySessions: number | null): Promise<void> {
  if (monthlySessions === null) {
    await db
      .deleteFrom('partner_quotas')
      .where('partner_id', '=', scope.partnerId)
      .where('mode', '=', scope.mode)
      .execute();
    return;
  }
  await db
    .insertInto('partner_quotas')
    .values({ partner_id: scope.partnerId, mode: scope.mode, monthly_sessions: monthlySessions })
    .onConflict((oc) =>
      oc
        .columns(['partner_id', 'mode'])
        .doUpdateSet({ monthly_sessions: monthlySessions, updated_at: sql`now()` }),
    )
    .execute();
}

export async function findQuota(db: Db, scope: Scope): Promise<number | null> {
  const row = await db
    .selectFrom('partner_quotas')
    .select('monthly_sessions')
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .executeTakeFirst();
  return row?.monthly_sessions ?? null;
}

/**
 * Counts one more session this month and returns the new count with the threshold flags, holding the
 * usage row's lock until the caller's transaction ends.
 */
export async function countSession(db: Db, scope: Scope): Promise<UsageRow> {
  return db
    .insertInto('partner_usage')
    .values({ partner_id: scope.partnerId, mode: scope.mode, period: PERIOD, sessions_created: 1 })
    .onConflict((oc) =>
      oc
        .columns(['partner_id', 'mode', 'period'])
        .doUpdateSet({ sessions_created: sql`partner_usage.sessions_created + 1` }),
    )
    .returning([
      'period',
      'sessions_created',
      sql<boolean>`warned_at IS NOT NULL`.as('warned'),
      sql<boolean>`exhausted_at IS NOT NULL`.as('exhausted'),
    ])
    .executeTakeFirstOrThrow();
}

/** This month's usage (locked when `forUpdate`), or zero when nothing was counted yet. */
export async function currentUsage(db: Db, scope: Scope, forUpdate = false): Promise<UsageRow> {
  if (forUpdate)
    await db
      .insertInto('partner_usage')
      .values({ partner_id: scope.partnerId, mode: scope.mode, period: PERIOD, sessions_created: 0 })
      .onConflict((oc) => oc.doNothing())
      .execute();
  let query = db
    .selectFrom('partner_usage')
    .select([
      'period',
      'sessions_created',
      sql<boolean>`warned_at IS NOT NULL`.as('warned'),
      sql<boolean>`exhausted_at IS NOT NULL`.as('exhausted'),
    ])
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('period', '=', PERIOD);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row) return row;
  const period = await sql<{ p: string }>`SELECT ${PERIOD} AS p`.execute(db);
  return { period: period.rows[0]!.p, sessions_created: 0, warned: false, exhausted: false };
}

export async function markThreshold(
  db: Db,
  scope: Scope,
  period: string,
  which: 'warned_at' | 'exhausted_at',
) {
  await db
    .updateTable('partner_usage')
    .set({ [which]: sql`now()` })
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('period', '=', period)
    .execute();
}

/** The sessions actually created this month (UTC), counted from the sessions themselves. */
export async function sessionsCreatedThisMonth(db: Db, scope: Scope): Promise<number> {
  const row = await db
    .selectFrom('gate_sessions')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('created_at', '>=', sql<Date>`date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Sets the month's counter to the sessions actually created this month. Needed when a quota is set or
 * changed: while a mode had no quota its creates were not counted.
 */
export async function recountUsage(db: Db, scope: Scope): Promise<void> {
  await db
    .updateTable('partner_usage')
    .set({
      sessions_created: sql`(
        SELECT count(*)::int FROM gate_sessions
        WHERE partner_id = ${scope.partnerId} AND mode = ${scope.mode}
          AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`,
    })
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('period', '=', PERIOD)
    .execute();
}
