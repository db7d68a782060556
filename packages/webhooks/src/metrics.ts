import type { Db } from '@0bit/db/connection';
import type { WebhookSource } from '@0bit/db/schema';
import { sql } from 'kysely';

/**
 * What an attempt came to, for the attempts counter: `delivered` (2xx), `retrying` (failed, another attempt
 * is scheduled), `dead_lettered` (failed for good), `released` (aborted by a shutdown, claim given back),
 * `unrecorded` (its outcome could not be written; the claim expires and it is retried).
 */
export type AttemptOutcome = 'delivered' | 'retrying' | 'dead_lettered' | 'released' | 'unrecorded';

/** The worker's hooks into the process's metrics (@0bit/http/metrics implements them). */
export interface WebhookMetrics {
  attempt(source: WebhookSource, outcome: AttemptOutcome): void;
  /** Seconds from the delivery's commit (its row) to the start of its first attempt. */
  firstAttempt(source: WebhookSource, seconds: number): void;
}

export interface BacklogRow {
  source: WebhookSource;
  /** Deliveries waiting for an attempt (due now or scheduled for a retry). */
  pending: number;
  /** Age of the oldest of them, from its commit. */
  oldestPendingSeconds: number;
  /** How late the most overdue one is (0 when none is due): a worker that does not keep up shows here. */
  oldestDueSeconds: number;
}

/** The outbox's backlog per product, for the gauges (served by the partial index on pending deliveries). */
export async function webhookBacklog(db: Db): Promise<BacklogRow[]> {
  const result = await sql<{ source: WebhookSource; pending: string; oldest: string; due: string | null }>`
    SELECT source, count(*)::text AS pending,
      extract(epoch FROM now() - min(created_at))::text AS oldest,
      extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now()))::text AS due
    FROM webhook_deliveries WHERE status = 'pending' GROUP BY source`.execute(db);
  return result.rows.map((r) => ({
    source: r.source,
    pending: Number(r.pending),
    oldestPendingSeconds: Math.max(0, Number(r.oldest)),
    oldestDueSeconds: r.due === null ? 0 : Math.max(0, Number(r.due)),
  }));
}
