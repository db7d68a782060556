import { BadRequestError, NotFoundError } from '@0bit/core/errors';
import { isUuid } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import { toIso } from '@0bit/core/time';
import type { Db } from '@0bit/db/connection';
import {
  type AttemptRow,
  type DeliveryFilters,
  type DeliveryRow,
  findDelivery,
  listAttempts,
  listDeliveries as listDeliveryRows,
  notifyWorkers,
  scheduleReplay,
} from '@0bit/webhooks/store';
import type { WebhookAttempt, WebhookDelivery } from './shapes.ts';

export const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  object: 'webhook_delivery',
  event_id: row.event_id,
  event_type: row.event_type,
  session_id: row.session_id,
  mode: row.mode,
  status: row.status,
  attempt_count: row.attempt_count,
  next_attempt_at: toIso(row.next_attempt_at),
  last_attempt_at: toIso(row.last_attempt_at),
  delivered_at: toIso(row.delivered_at),
  created_at: toIso(row.created_at),
});

const toAttempt = (row: AttemptRow): WebhookAttempt => ({
  attempted_at: toIso(row.attempted_at),
  duration_ms: row.duration_ms,
  url: row.url,
  status_code: row.status_code,
  error: row.error,
  response_body: row.response_body,
  trigger: row.trigger,
});

async function requireDelivery(db: Db, scope: Scope, id: string): Promise<DeliveryRow> {
  const row = isUuid(id) ? await findDelivery(db, scope, id) : undefined;
  if (!row) throw new NotFoundError(`No webhook delivery ${id} for this key's partner and mode`);
  return row;
}

export async function listDeliveries(
  db: Db,
  scope: Scope,
  filters: DeliveryFilters,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ data: WebhookDelivery[]; has_more: boolean }> {
  let after: DeliveryRow | undefined;
  if (options.startingAfter) {
    after = isUuid(options.startingAfter) ? await findDelivery(db, scope, options.startingAfter) : undefined;
    if (!after)
      throw new BadRequestError(`starting_after "${options.startingAfter}" is not a delivery of this list`);
  }
  const rows = await listDeliveryRows(db, scope, filters, { limit: options.limit + 1, after });
  return { data: rows.slice(0, options.limit).map(toDelivery), has_more: rows.length > options.limit };
}

export async function getDelivery(
  db: Db,
  scope: Scope,
  id: string,
): Promise<WebhookDelivery & { attempts: WebhookAttempt[] }> {
  const row = await requireDelivery(db, scope, id);
  return { ...toDelivery(row), attempts: (await listAttempts(db, id)).map(toAttempt) };
}

/** A new attempt now, with the same event id, whatever the delivery's state (also when it failed for good). */
export async function replayDelivery(db: Db, scope: Scope, id: string): Promise<WebhookDelivery> {
  await requireDelivery(db, scope, id);
  const row = await scheduleReplay(db, scope, id);
  await notifyWorkers(db);
  return toDelivery(row!);
}
