import { BadRequestError } from '@0bit/core/errors';
import { newEventId } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { metrics } from '@0bit/http/metrics';
import { type EventRow, findEventSeq, insertEvent, listEvents as listEventRows } from '../store/events.ts';
import type { EventEnvelope } from './shapes.ts';

/** Every event type the platform emits (glossary, "Event catalogue"). */
export const EVENT_TYPES = [
  'gate_session.created',
  'gate_session.completed',
  'gate_session.expired',
  'gate_session.cancelled',
  'gate_session.kyc_package_accepted',
  'gate_session.failed',
  'kyc.required',
  'partner.quota.warning',
  'partner.quota.exhausted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const toEnvelope = (row: EventRow): EventEnvelope => ({
  id: row.id,
  type: row.type,
  created_at: Math.floor(new Date(row.created_at).getTime() / 1000),
  data: row.data,
});

export async function appendEvent(
  db: Db,
  scope: Scope,
  type: EventType,
  data: Record<string, unknown>,
  sessionId: string | null,
): Promise<EventEnvelope> {
  const row = await insertEvent(db, {
    id: newEventId(),
    partner_id: scope.partnerId,
    mode: scope.mode,
    type,
    session_id: sessionId,
    data,
  });
  metrics.sessionEvent(scope.mode, type);
  return toEnvelope(row);
}

export async function listEvents(
  db: Db,
  scope: Scope,
  options: {
    limit: number;
    type?: string | undefined;
    startingAfter?: string | undefined;
    endingBefore?: string | undefined;
  },
): Promise<{ data: EventEnvelope[]; has_more: boolean }> {
  if (options.startingAfter && options.endingBefore)
    throw new BadRequestError('pass starting_after or ending_before, not both');
  const cursor = async (name: string, id: string | undefined) => {
    if (!id) return undefined;
    const seq = await findEventSeq(db, scope, id);
    if (!seq) throw new BadRequestError(`${name} "${id}" is not an event of this partner and mode`);
    return seq;
  };
  const beforeSeq = await cursor('starting_after', options.startingAfter);
  const afterSeq = await cursor('ending_before', options.endingBefore);
  const rows = await listEventRows(db, scope, {
    limit: options.limit + 1,
    type: options.type,
    beforeSeq,
    afterSeq,
  });
  // With ending_before the extra row is the newest one (first): drop it from that end.
  const page = afterSeq ? rows.slice(rows.length > options.limit ? 1 : 0) : rows.slice(0, options.limit);
  return { data: page.map(toEnvelope), has_more: rows.length > options.limit };
}
