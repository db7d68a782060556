import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { sql } from 'kysely';

/**
 * What the usage report adds up, for a scope's sessions in the UTC days `from`..`to` (inclusive, YYYY-MM-DD):
 * created per day, closed per day and status, and completed volume per currency, summed as numeric so no
 * amount is rounded.
 */
export async function sessionActivity(db: Db, scope: Scope, range: { from: string; to: string }) {
  const start = sql`${range.from}::date::timestamp AT TIME ZONE 'UTC'`;
  const end = sql`(${range.to}::date + 1)::timestamp AT TIME ZONE 'UTC'`;
  const day = (column: string) => sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
  const created = await db
    .selectFrom('gate_sessions')
    .select([day('created_at').as('date'), (eb) => eb.fn.countAll<string>().as('n')])
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where(sql<boolean>`created_at >= ${start} AND created_at < ${end}`)
    .groupBy('date')
    .execute();
  const closed = await db
    .selectFrom('gate_sessions')
    .select([day('closed_at').as('date'), 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('status', '!=', 'open')
    .where(sql<boolean>`closed_at >= ${start} AND closed_at < ${end}`)
    .groupBy(['date', 'status'])
    .execute();
  const volume = await db
    .selectFrom('gate_sessions')
    .select([
      'currency',
      sql<string>`sum(amount::numeric)::text`.as('amount'),
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('status', '=', 'completed')
    .where(sql<boolean>`closed_at >= ${start} AND closed_at < ${end}`)
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  return { created, closed, volume };
}
