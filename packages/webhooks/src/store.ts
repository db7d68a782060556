import type { Scope } from '@0bit/core/scope';
import { currentRequestId, currentTraceparent } from '@0bit/core/tracing';
import { type Db, olderThan } from '@0bit/db/connection';
import type {
  DeliveryStatus,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
  WebhookSecretsTable,
  WebhookSource,
} from '@0bit/db/schema';
import { type RawBuilder, type Selectable, sql } from 'kysely';

export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type SecretRow = Selectable<WebhookSecretsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;
export type { WebhookSource };

/** One cache and NOTIFY key per webhook target: which product signs it, for which partner and mode. */
export const targetKey = (source: WebhookSource, scope: Scope): string =>
  `${source}:${scope.partnerId}:${scope.mode}`;

export async function findEndpoint(
  db: Db,
  scope: Scope,
  source: WebhookSource = 'gate',
): Promise<EndpointRow | undefined> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('source', '=', source)
    .executeTakeFirst();
}

export async function upsertEndpoint(
  db: Db,
  scope: Scope,
  url: string,
  source: WebhookSource = 'gate',
): Promise<EndpointRow> {
  return db
    .insertInto('webhook_endpoints')
    .values({ partner_id: scope.partnerId, mode: scope.mode, source, url })
    .onConflict((oc) =>
      oc.columns(['partner_id', 'mode', 'source']).doUpdateSet({ url, updated_at: sql`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertSecret(
  db: Db,
  row: { id: string; scope: Scope; sealed: string; displayPrefix: string; source?: WebhookSource },
): Promise<SecretRow> {
  return db
    .insertInto('webhook_secrets')
    .values({
      id: row.id,
      partner_id: row.scope.partnerId,
      mode: row.scope.mode,
      source: row.source ?? 'gate',
      secret_sealed: row.sealed,
      display_prefix: row.displayPrefix,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Secrets that still sign: the current one and any in their overlap window, newest first. */
export async function validSecrets(
  db: Db,
  scope: Scope,
  source: WebhookSource = 'gate',
): Promise<SecretRow[]> {
  return db
    .selectFrom('webhook_secrets')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('source', '=', source)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * Starts the overlap window: every secret still signing stops within `seconds` at the latest (one already
 * ending sooner keeps its earlier end). Returns when the last of them stops, or null if there were none.
 */
export async function retireSigningSecrets(
  db: Db,
  scope: Scope,
  seconds: number,
  source: WebhookSource = 'gate',
): Promise<Date | null> {
  const until = sql<Date>`now() + make_interval(secs => ${seconds})`;
  const rows = await db
    .updateTable('webhook_secrets')
    .set({ expires_at: until })
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('source', '=', source)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', until)]))
    .returning('expires_at')
    .execute();
  return rows[0]?.expires_at ?? null;
}

/**
 * Claims up to `limit` due deliveries for `lockSeconds`. SKIP LOCKED lets several workers share the queue;
 * an expired lock (a worker that died mid-send) makes the delivery claimable again: at least once.
 */
export async function claimDueDeliveries(
  db: Db,
  limit: number,
  lockSeconds: number,
  /** "partner:mode" scopes already at their in-flight cap: leave their deliveries for later. */
  excludeScopes: string[] = [],
): Promise<DeliveryRow[]> {
  return db
    .updateTable('webhook_deliveries')
    .set({ locked_until: sql`now() + make_interval(secs => ${lockSeconds})` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<', sql<Date>`now()`)]))
        .$if(excludeScopes.length > 0, (q) =>
          q.where(sql<boolean>`(partner_id || ':' || mode) <> ALL(${sql.val(excludeScopes)}::text[])`),
        )
        .orderBy('next_attempt_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

/**
 * Gives a claimed delivery back without recording an attempt (a worker shutting down aborted it): claimable
 * again at once, by any worker.
 */
export async function releaseClaim(db: Db, id: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ locked_until: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** Milliseconds until the next pending delivery is due (0 if one is due now), or null if none is pending. */
export async function msUntilNextDue(db: Db, excludeScopes: string[] = []): Promise<number | null> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select(
      sql<
        string | null
      >`floor(extract(epoch FROM (min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now())) * 1000)::text`.as(
        'ms',
      ),
    )
    .where('status', '=', 'pending')
    .$if(excludeScopes.length > 0, (q) =>
      q.where(sql<boolean>`(partner_id || ':' || mode) <> ALL(${sql.val(excludeScopes)}::text[])`),
    )
    .executeTakeFirst();
  if (!row || row.ms === null) return null;
  return Math.max(0, Number(row.ms));
}

export interface AttemptRecord {
  attempt: Omit<AttemptRow, 'id' | 'attempted_at'>;
  outcome: { succeeded: boolean; retryInMs: number | null };
}

/**
 * Records attempts and their outcomes in ONE statement (a data-modifying CTE: atomic, one round trip): the
 * worker's group commit of every attempt that finished while its previous write was in flight. Each attempt
 * is logged and its delivery moved to its outcome; `retryInMs` null with a failure means: failed for good.
 */
export async function recordAttempts(db: Db, records: AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map(({ attempt, outcome }) => ({
    ...attempt,
    status: (outcome.succeeded
      ? 'succeeded'
      : outcome.retryInMs === null
        ? 'failed'
        : 'pending') satisfies DeliveryStatus,
    retry_seconds: (outcome.retryInMs ?? 0) / 1000,
  }));
  await sql`
    WITH r AS (
      SELECT * FROM json_to_recordset(CAST(${JSON.stringify(rows)} AS json)) AS r(delivery_id uuid,
        duration_ms integer, url text, status_code integer, error text, response_body text, trigger text,
        status text, retry_seconds double precision)),
    attempt AS (
      INSERT INTO webhook_attempts (delivery_id, duration_ms, url, status_code, error, response_body, trigger)
      SELECT delivery_id, duration_ms, url, status_code, error, response_body, trigger FROM r)
    UPDATE webhook_deliveries d SET
      status = r.status,
      attempt_count = d.attempt_count + 1,
      last_attempt_at = now(),
      locked_until = NULL,
      next_attempt_at = CASE WHEN r.status = 'pending' THEN now() + make_interval(secs => r.retry_seconds) END,
      delivered_at = CASE WHEN r.status = 'succeeded' THEN now() ELSE d.delivered_at END
    FROM r
    WHERE d.id = r.delivery_id`.execute(db);
}

export interface DeliveryFilters {
  status?: DeliveryStatus | undefined;
  eventType?: string | undefined;
  sessionId?: string | undefined;
}

export async function findDelivery(
  db: Db,
  scope: Scope,
  id: string,
  source: WebhookSource = 'gate',
): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('source', '=', source)
    .executeTakeFirst();
}

export async function listDeliveries(
  db: Db,
  scope: Scope,
  filters: DeliveryFilters,
  options: { limit: number; after?: Pick<DeliveryRow, 'id' | 'created_at'> | undefined },
  source: WebhookSource = 'gate',
): Promise<DeliveryRow[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('source', '=', source);
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.eventType) query = query.where('event_type', '=', filters.eventType);
  if (filters.sessionId) query = query.where('session_id', '=', filters.sessionId);
  const after = options.after;
  if (after) query = query.where(olderThan(after));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export async function listAttempts(db: Db, deliveryId: string): Promise<AttemptRow[]> {
  return db
    .selectFrom('webhook_attempts')
    .select([
      sql<string>`id::text`.as('id'),
      'delivery_id',
      'attempted_at',
      'duration_ms',
      'url',
      'status_code',
      'error',
      'response_body',
      'trigger',
    ])
    .where('delivery_id', '=', deliveryId)
    .orderBy('webhook_attempts.id')
    .execute();
}

/** A replay: one more attempt, now, whatever the delivery's state; the event id stays the same. */
export async function scheduleReplay(
  db: Db,
  scope: Scope,
  id: string,
  source: WebhookSource = 'gate',
): Promise<DeliveryRow | undefined> {
  return db
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      next_attempt_at: sql`now()`,
      // One more attempt for a delivery that is done (succeeded, or failed for good). One still retrying keeps
      // its schedule: the replay only brings its next attempt forward, so no automatic retry is lost.
      // (A delivery claimed right now is not "still retrying": its attempt may be succeeding; it gets the
      // replay attempt as before.)
      locked_until: null,
      attempt_limit: sql`CASE WHEN status = 'pending' AND (locked_until IS NULL OR locked_until <= now())
        THEN attempt_limit ELSE attempt_count + 1 END`,
    })
    .where('id', '=', id)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('source', '=', source)
    .returningAll()
    .executeTakeFirst();
}

export async function notifyWorkers(db: Db): Promise<void> {
  await sql`SELECT pg_notify('gate_webhooks', '')`.execute(db);
}

/** Tells workers (at commit) that a partner's endpoint or secrets changed, so none signs with stale ones. */
export async function notifyTargetChanged(
  db: Db,
  scope: Scope,
  source: WebhookSource = 'gate',
): Promise<void> {
  await sql`SELECT pg_notify('gate_webhooks', ${`target:${targetKey(source, scope)}`})`.execute(db);
}

/**
 * When tracing is on, hands the active span's trace context (and request id) to the webhook delivery the
 * outbox trigger is about to insert in this transaction (migration 0020), so its attempts link back to
 * the request that produced the event. Call it in the event's transaction, before the event insert; with
 * tracing off it does nothing (no query).
 */
export async function carryTraceContext(db: Db): Promise<void> {
  const traceparent = currentTraceparent();
  if (!traceparent) return;
  await sql`SELECT set_config('zerobit.traceparent', ${traceparent}, true), set_config('zerobit.request_id', ${currentRequestId() ?? ''}, true)`.execute(
    db,
  );
}

/**
 * carryTraceContext for a one-statement write (no transaction to set it in first): the same settings as a
 * `SELECT` for a CTE the event insert reads, so they are set before the outbox trigger runs (at the end of
 * the statement, in its transaction). null with tracing off.
 */
export function traceContextSelect(): RawBuilder<unknown> | null {
  const traceparent = currentTraceparent();
  if (!traceparent) return null;
  return sql`SELECT set_config('zerobit.traceparent', ${traceparent}, true) AS traceparent,
    set_config('zerobit.request_id', ${currentRequestId() ?? ''}, true) AS request_id`;
}
