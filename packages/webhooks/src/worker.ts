import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import {
  linkTo,
  REQUEST_ID_ATTRIBUTE,
  type Span,
  SpanKind,
  tracingActive,
  withSpan,
} from '@0bit/core/tracing';
import type { Db } from '@0bit/db/connection';
import type { FastifyBaseLogger } from 'fastify';
import type { Coordinator } from './coordinator.ts';
import type { EgressPolicy } from './egress.ts';
import type { WebhookMetrics } from './metrics.ts';
import { nextDelayMs, type RetrySchedule } from './schedule.ts';
import { ABORTED, postWebhook } from './sender.ts';
import type { Signer } from './signer.ts';
import {
  type AttemptRecord,
  claimDueDeliveries,
  type DeliveryRow,
  findEndpoint,
  msUntilNextDue,
  recordAttempts,
  releaseClaim,
  targetKey,
  validSecrets,
  type WebhookSource,
} from './store.ts';

export interface WorkerOptions {
  db: Db;
  box: SecretBox;
  coordinator: Coordinator;
  /** How each product signs: 0Gate's Gate-Signature, 0trace's X-Partner-Webhook-Sign. */
  signers: Record<WebhookSource, Signer>;
  schedule: RetrySchedule;
  /** Deliveries claimed per query (spec: 20). */
  batchSize: number;
  /** Attempts in flight at once; a slow or dead endpoint holds one slot per delivery, not the queue. */
  concurrency: number;
  /** Polling fallback when no NOTIFY arrives (spec: 30 s). */
  pollIntervalMs: number;
  /** Per-attempt timeout (spec: 10 s). */
  timeoutMs: number;
  /** Where deliveries may go (both products, both modes): checked again before every attempt. */
  egress: EgressPolicy;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** Attempt outcomes and first-attempt latency for the process's metrics. */
  metrics?: WebhookMetrics;
}

const RESPONSE_CAP_BYTES = 1024;
/**
 * How long a partner's endpoint URL and decrypted secrets are reused between deliveries. A changed URL or a
 * rotation reaches the worker within this time; without it every delivery costs two more queries.
 */
const TARGET_CACHE_MS = 1000;

interface Target {
  url: string | null;
  secrets: string[];
  loadedAt: number;
}

/**
 * Delivers the webhook outbox at least once. Woken by NOTIFY at commit (first attempt within a second),
 * by a freed slot, by the next scheduled retry, or by the poll fallback. Only the leader dispatches.
 */
export class WebhookWorker {
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;
  /** Set by a wake that arrives while the loop is busy, so the next sleep returns at once (no lost NOTIFY). */
  private woken = false;
  private loop: Promise<void> | null = null;
  private readonly targets = new Map<string, Promise<Target>>();
  /** Attempts in flight per "partner:mode": one slow or dead endpoint may hold at most its share of slots. */
  private readonly inFlightByScope = new Map<string, number>();
  /** Outcomes waiting for the next write, and that write while it runs (record). */
  private readonly toRecord: { record: AttemptRecord; resolve: () => void; reject: (e: unknown) => void }[] =
    [];
  private recording: Promise<void> | null = null;
  /** Aborted when the grace period of stop() is over: the attempts still in flight give their claims back. */
  private readonly abort = new AbortController();

  constructor(private readonly options: WorkerOptions) {
    options.coordinator.onWake((payload) => {
      // "target:<source>:<partner>:<mode>": that endpoint or its secrets changed; reload them before sending.
      if (payload.startsWith('target:')) this.targets.delete(payload.slice('target:'.length));
      this.wake();
    });
  }

  start(): void {
    this.loop ??= this.run().catch((err) =>
      this.options.log.error({ err }, 'webhook worker stopped on an error'),
    );
  }

  /**
   * Stops claiming and lets the attempts in flight finish. With `graceMs`, the attempts still running after
   * it are aborted and their claims released at once (not recorded as attempts), so another worker retries
   * them now instead of when the claim would have expired. The receiver may have got an aborted attempt:
   * delivery is at least once, and receivers dedupe on the event id.
   */
  async stop(graceMs?: number): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    const all = Promise.allSettled([...this.inFlight]);
    if (graceMs === undefined) {
      await all;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (late) {
      this.options.log.warn(
        { in_flight: this.inFlight.size, grace_ms: graceMs },
        'webhook worker: attempts still in flight after the grace period; aborting them and releasing their claims',
      );
      this.abort.abort();
    }
    await all;
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.woken = false;
        this.wakeUp = null;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    const { db, coordinator } = this.options;
    while (!this.stopped) {
      try {
        if (!coordinator.isLeader()) {
          await coordinator.leadership();
          this.options.log.info({ pid: process.pid }, 'webhook worker is the leader; dispatching');
        }
      } catch {
        return;
      }
      if (this.stopped) return;
      let claimed = 0;
      this.woken = false;
      try {
        const free = this.options.concurrency - this.inFlight.size;
        if (free > 0) {
          // Longer than one attempt can take (timeout + recording); after a crash the claim lapses this soon.
          const lockSeconds = Math.ceil(this.options.timeoutMs / 1000) * 2 + 5;
          const rows = await claimDueDeliveries(
            db,
            Math.min(free, this.options.batchSize),
            lockSeconds,
            this.saturatedScopes(),
          );
          claimed = rows.length;
          for (const row of rows) this.track(this.attempt(row), `${row.partner_id}:${row.mode}`);
        }
        if (claimed > 0 && this.inFlight.size < this.options.concurrency) continue;
        // Saturated partners are skipped here too: a freed slot wakes the loop, so it never spins on them.
        const nextDue =
          this.inFlight.size >= this.options.concurrency
            ? null
            : await msUntilNextDue(db, this.saturatedScopes());
        await this.sleep(Math.min(nextDue ?? this.options.pollIntervalMs, this.options.pollIntervalMs));
      } catch (err) {
        this.options.log.warn({ err }, 'webhook worker could not claim deliveries; retrying');
        await this.sleep(1000);
      }
    }
  }

  /**
   * One partner may fill every slot but a reserve of a quarter (at least one): a single busy partner keeps
   * most of the worker's throughput, and any other partner always finds a free slot at once.
   */
  private get perScopeCap(): number {
    return Math.max(1, this.options.concurrency - Math.max(1, Math.floor(this.options.concurrency / 4)));
  }

  private saturatedScopes(): string[] {
    return [...this.inFlightByScope].filter(([, n]) => n >= this.perScopeCap).map(([scope]) => scope);
  }

  private track(work: Promise<void>, scope: string): void {
    this.inFlight.add(work);
    this.inFlightByScope.set(scope, (this.inFlightByScope.get(scope) ?? 0) + 1);
    work.finally(() => {
      this.inFlight.delete(work);
      const left = (this.inFlightByScope.get(scope) ?? 1) - 1;
      if (left > 0) this.inFlightByScope.set(scope, left);
      else this.inFlightByScope.delete(scope);
      this.wake();
    });
  }

  /**
   * Records an attempt's outcome; resolves once it is committed. Attempts that end while a write is in
   * flight are written together by the next one (group commit): one statement for many deliveries.
   */
  private record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toRecord.push({ record, resolve, reject });
      if (!this.recording) this.recording = this.writeRecords();
    });
  }

  private async writeRecords(): Promise<void> {
    // Let the attempts that finish in this turn of the event loop join the first write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.toRecord.length > 0) {
      const batch = this.toRecord.splice(0, 500);
      try {
        await recordAttempts(
          this.options.db,
          batch.map((item) => item.record),
        );
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.recording = null;
  }

  /** The partner's endpoint and signing secrets, shared by concurrent deliveries for TARGET_CACHE_MS. */
  private target(source: WebhookSource, scope: Scope): Promise<Target> {
    const key = targetKey(source, scope);
    const cached = this.targets.get(key);
    if (cached) return cached;
    const { db, box } = this.options;
    const loading = (async (): Promise<Target> => {
      const endpoint = await findEndpoint(db, scope, source);
      const secrets = (await validSecrets(db, scope, source)).map((s) => box.open(s.secret_sealed));
      return { url: endpoint?.url ?? null, secrets, loadedAt: Date.now() };
    })();
    this.targets.set(key, loading);
    const forget = () => this.targets.get(key) === loading && this.targets.delete(key);
    loading.then(() => setTimeout(forget, TARGET_CACHE_MS).unref(), forget);
    return loading;
  }

  /**
   * One attempt, as a span of its own trace (tracing on) that links to the request which produced the
   * event (its traceparent travelled with the delivery) and carries that request's id.
   */
  private attempt(delivery: DeliveryRow): Promise<void> {
    if (!tracingActive()) return this.deliver(delivery, undefined);
    return withSpan(
      `webhook attempt ${delivery.event_type}`,
      {
        root: true,
        kind: SpanKind.PRODUCER,
        links: linkTo(delivery.traceparent),
        attributes: {
          ...(delivery.request_id ? { [REQUEST_ID_ATTRIBUTE]: delivery.request_id } : {}),
          'webhook.delivery_id': delivery.id,
          'webhook.event_id': delivery.event_id,
          'webhook.event_type': delivery.event_type,
          'webhook.source': delivery.source,
          'webhook.attempt': delivery.attempt_count + 1,
        },
      },
      (span) => this.deliver(delivery, span),
    );
  }

  private async deliver(delivery: DeliveryRow, span: Span | undefined): Promise<void> {
    const { db, signers, schedule, log } = this.options;
    const scope: Scope = { partnerId: delivery.partner_id, mode: delivery.mode };
    const signer = signers[delivery.source];
    const metrics = this.options.metrics;
    if (metrics && delivery.attempt_count === 0 && delivery.attempt_limit === null)
      metrics.firstAttempt(
        delivery.source,
        Math.max(0, (Date.now() - new Date(delivery.created_at).getTime()) / 1000),
      );
    try {
      const { url: endpointUrl, secrets } = await this.target(delivery.source, scope);
      const url = endpointUrl ?? '';
      const result = endpointUrl
        ? await postWebhook(
            url,
            delivery.payload,
            signer({
              payload: delivery.payload,
              secrets,
              eventId: delivery.event_id,
              eventType: delivery.event_type,
              nowSeconds: Math.floor(Date.now() / 1000),
            }),
            {
              timeoutMs: this.options.timeoutMs,
              maxResponseBytes: RESPONSE_CAP_BYTES,
              mode: delivery.mode,
              policy: this.options.egress,
              signal: this.abort.signal,
            },
          )
        : {
            statusCode: null,
            error: 'no webhook endpoint is configured for this mode',
            responseBody: null,
            durationMs: 0,
          };
      if (this.abort.signal.aborted && result.error === ABORTED) {
        await releaseClaim(db, delivery.id);
        this.options.metrics?.attempt(delivery.source, 'released');
        return;
      }
      const succeeded =
        result.error === null &&
        result.statusCode !== null &&
        result.statusCode >= 200 &&
        result.statusCode < 300;
      const attemptsMade = delivery.attempt_count + 1;
      const retryInMs = succeeded ? null : nextDelayMs(schedule, attemptsMade, delivery.attempt_limit);
      span?.setAttributes({
        'webhook.outcome': succeeded ? 'succeeded' : retryInMs === null ? 'failed' : 'retry',
        ...(result.statusCode !== null ? { 'http.response.status_code': result.statusCode } : {}),
        ...(result.error ? { 'error.message': result.error } : {}),
      });
      await this.record({
        attempt: {
          delivery_id: delivery.id,
          duration_ms: result.durationMs,
          url,
          status_code: result.statusCode,
          error: result.error ?? (succeeded ? null : `receiver answered ${result.statusCode}`),
          response_body: result.responseBody,
          trigger: delivery.attempt_limit === null ? 'automatic' : 'replay',
        },
        outcome: { succeeded, retryInMs },
      });
      metrics?.attempt(
        delivery.source,
        succeeded ? 'delivered' : retryInMs === null ? 'dead_lettered' : 'retrying',
      );
      if (!succeeded)
        log.info(
          {
            delivery_id: delivery.id,
            event_id: delivery.event_id,
            request_id: delivery.request_id,
            attempt: attemptsMade,
            status_code: result.statusCode,
            error: result.error,
            retry_in_ms: retryInMs,
          },
          retryInMs === null ? 'webhook delivery failed for good' : 'webhook attempt failed; will retry',
        );
    } catch (err) {
      metrics?.attempt(delivery.source, 'unrecorded');
      // The claim's lock expires and the delivery is retried: nothing is lost.
      log.warn(
        { err, delivery_id: delivery.id, request_id: delivery.request_id },
        'webhook attempt could not be recorded; it will be retried',
      );
    }
  }
}
