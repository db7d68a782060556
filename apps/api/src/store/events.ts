import type { Mode, Scope } from '@0bit/core/scope';
import { type Db, json } from '@0bit/db/connection';
import type { EventsTable } from '@0bit/db/schema';
import { carryTraceContext } from '@0bit/webhooks/store';
import { type RawBuilder, type Selectable, sql } from 'kysely';

export type EventRow = Selectable<EventsTable>;

// seq is bigserial: read it as text so pg (string) and PGlite (number) agree.
const EVENT_COLUMNS = [
  'id',
  'partner_id',
  'mode',
  'type',
  'session_id',
  'data',
  'created_at',
  sql<string>`seq::text`.as('seq'),
] as const;

export interface NewEvent {
  id: string;
  partner_id: string;
  mode: Mode;
  type: string;
  session_id: string | null;
  data: Record<string, unknown>;
}

/** Appends to the outbox; call it inside the transaction that made the change it describes. */
export async function insertEvent(db: Db, event: NewEvent): Promise<EventRow> {
  await carryTraceContext(db);
  return db
    .insertInto('events')
    .values({ ...event, data: json(event.data) })
    .returning(EVENT_COLUMNS)
    .executeTakeFirstOrThrow();
}

/**
 * Appends events to the outbox as CTEs (`event_0`, `event_1`, …) of a one-statement write, each written
 * once per row of the CTE `after` (the row that makes the change they describe); the outbox trigger runs
 * for them as for insertEvent.
 */
export function insertEventsAfter(after: string, events: NewEvent[]): RawBuilder<unknown> {
  return sql.join(
    events.map(
      (event, i) => sql`${sql.id(`event_${i}`)} AS (
        INSERT INTO events (id, partner_id, mode, type, session_id, data)
        SELECT CAST(${event.id} AS uuid), ${event.partner_id}, ${event.mode}, ${event.type}, ${event.session_id},
          CAST(${JSON.stringify(event.data)} AS json)
        FROM ${sql.table(after)})`,
    ),
  );
}

export async function findEventSeq(db: Db, scope: Scope, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('events')
    .select(sql<string>`seq::text`.as('seq'))
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.seq;
}

export async function listEvents(
  db: Db,
  scope: Scope,
  options: {
    limit: number;
    type?: string | undefined;
    beforeSeq?: string | undefined;
    afterSeq?: string | undefined;
  },
): Promise<EventRow[]> {
  let query = db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode);
  if (options.type) query = query.where('type', '=', options.type);
  if (options.beforeSeq) query = query.where(sql`seq`, '<', sql`${options.beforeSeq}::bigint`);
  if (options.afterSeq) {
    // The page right after the cursor (the oldest newer events), returned newest first like every page.
    const rows = await query
      .where(sql`seq`, '>', sql`${options.afterSeq}::bigint`)
      .orderBy(sql`events.seq`, 'asc')
      .limit(options.limit)
      .execute();
    return rows.reverse();
  }
  return query.orderBy(sql`events.seq`, 'desc').limit(options.limit).execute();
}
