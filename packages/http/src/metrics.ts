import { createServer, type Server } from 'node:http';
import type { SettingsReader } from '@0bit/core/settings';
import { onIdempotentReplay } from '@0bit/db/idempotency';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The platform's Prometheus metrics (prom-client): one registry per process — a process is one scrape
 * target — served in the text format on METRICS_PORT, never on a public API port. Labels are bounded sets:
 * route templates (never URLs), status classes, products, modes, outcomes; never a partner id, key or secret.
 * The instruments and what to alert on are listed in docs/operating.md ("Metrics").
 */

export const PRODUCTS = ['0gate', '0trace'] as const;
export type Product = (typeof PRODUCTS)[number];

/** Where webhook rows say which product signs them; the metrics say the product's name. */
const PRODUCT_OF_SOURCE: Record<string, Product> = { gate: '0gate', exchange: '0trace' };
const productOfSource = (source: string): Product => PRODUCT_OF_SOURCE[source] ?? '0gate';
const PRODUCT_OF_KEY_TABLE: Record<string, Product> = {
  idempotency_keys: '0gate',
  exchange_idempotency: '0trace',
};

/** Counts an app's requests; the apps take it as a dependency (`metrics` in their deps). */
export interface HttpMetrics {
  observe(app: FastifyInstance, product: Product): void;
}

/** What the gauges read when scraped; the composition root fills in what its process has. */
export interface MetricProbes {
  /** Webhook outbox backlog per source (@0bit/webhooks/metrics webhookBacklog). */
  webhookBacklog?: () => Promise<
    Array<{ source: string; pending: number; oldestPendingSeconds: number; oldestDueSeconds: number }>
  >;
  /** Open 0trace orders by mode and status. */
  exchangeOrders?: () => Promise<Array<{ mode: string; status: string; count: number }>>;
  /** The database pool (PostgreSQL). */
  pool?: () => { total: number; idle: number; waiting: number };
  /** Whether Redis answers (only when REDIS_URL is set). */
  redis?: () => Promise<'ok' | 'down'>;
}

type BacklogRows = Awaited<ReturnType<NonNullable<MetricProbes['webhookBacklog']>>>;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export const statusClass = (code: number): string => `${Math.floor(code / 100)}xx`;

/** Runs a probe for a gauge; a failed probe leaves the gauge empty for this scrape (never fails the scrape). */
async function probe<T>(read: (() => Promise<T> | T) | undefined): Promise<T | undefined> {
  if (!read) return undefined;
  try {
    return await read();
  } catch {
    return undefined;
  }
}

export class PlatformMetrics implements HttpMetrics {
  readonly registry = new Registry();
  private probes: MetricProbes = {};

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by product, method, route template and status class',
    labelNames: ['product', 'method', 'route', 'status_class'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to answering it, by product, method, route template and status class',
    labelNames: ['product', 'method', 'route', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused with 429 by a rate limit, by product and route template',
    labelNames: ['product', 'route'] as const,
    registers: [this.registry],
  });
  readonly replays = new Counter({
    name: 'idempotent_replays_total',
    help: 'Writes answered from their stored answer (same Idempotency-Key, same request), by product',
    labelNames: ['product'] as const,
    registers: [this.registry],
  });
  readonly sessions = new Counter({
    name: 'gate_sessions_total',
    help: '0Gate session events written: created, completed, failed, expired, cancelled, by mode',
    labelNames: ['mode', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook attempts by product and outcome (delivered, retrying, dead_lettered, released, unrecorded)',
    labelNames: ['product', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookDeadLettered = new Counter({
    name: 'webhook_dead_lettered_total',
    help: 'Webhook deliveries that failed for good (every attempt of the schedule failed), by product',
    labelNames: ['product'] as const,
    registers: [this.registry],
  });
  readonly webhookFirstAttempt = new Histogram({
    name: 'webhook_first_attempt_delay_seconds',
    help: 'Time from a delivery being committed to its first attempt starting, by product',
    labelNames: ['product'] as const,
    buckets: DELIVERY_BUCKETS,
    registers: [this.registry],
  });
  readonly nonceDuration = new Histogram({
    name: 'exchange_nonce_claim_duration_seconds',
    help: '0trace nonce store latency (claiming a nonce), by store (redis, database) and outcome',
    labelNames: ['store', 'outcome'] as const,
    buckets: FAST_BUCKETS,
    registers: [this.registry],
  });
  readonly dbQueryDuration = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'Database query latency, by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    buckets: FAST_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Counters that alerts take increase() of start at 0 for every product, so their first event is an
    // increase (a series that appears at 1 would hide it) and a quiet process still has the series.
    for (const product of PRODUCTS) {
      this.webhookDeadLettered.inc({ product }, 0);
      for (const outcome of ['delivered', 'retrying', 'dead_lettered'])
        this.webhookAttempts.inc({ product, outcome }, 0);
    }
    onIdempotentReplay((table) => this.replays.inc({ product: PRODUCT_OF_KEY_TABLE[table] ?? '0gate' }));
    const probes = () => this.probes;
    // The three backlog gauges read one query per scrape (they are collected within milliseconds).
    let backlog: { at: number; rows: ReturnType<typeof probe<BacklogRows>> } | undefined;
    const readBacklog = () => {
      if (!backlog || Date.now() - backlog.at > 100)
        backlog = { at: Date.now(), rows: probe(probes().webhookBacklog) };
      return backlog.rows;
    };
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state: in_use, idle, waiting (requests queued for a connection)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      // Registered before every gauge that queries the database: the scrape collects in registration order and
      // a probe's query would otherwise wait for a connection and be counted here as `waiting`.
      collect() {
        this.reset();
        const stats = probes().pool?.();
        if (!stats) return;
        this.set({ state: 'in_use' }, stats.total - stats.idle);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    // Three views of one backlog query per scrape; every product has a series (0 when it has nothing pending).
    const backlogGauges: Array<[string, string, (row: BacklogRows[number]) => number]> = [
      [
        'webhook_backlog',
        'Webhook deliveries pending (due now or waiting for a retry), by product',
        (r) => r.pending,
      ],
      [
        'webhook_oldest_pending_age_seconds',
        'Age of the oldest pending webhook delivery since it was committed, by product (0: none)',
        (r) => r.oldestPendingSeconds,
      ],
      [
        'webhook_oldest_due_lag_seconds',
        'How late the most overdue webhook delivery is (due and not yet attempted), by product (0: none)',
        (r) => r.oldestDueSeconds,
      ],
    ];
    for (const [name, help, measure] of backlogGauges)
      new Gauge({
        name,
        help,
        labelNames: ['product'] as const,
        registers: [this.registry],
        async collect() {
          const rows = await readBacklog();
          this.reset();
          if (!rows) return;
          for (const product of PRODUCTS) this.set({ product }, 0);
          for (const r of rows) this.set({ product: productOfSource(r.source) }, measure(r));
        },
      });
    new Gauge({
      name: 'exchange_open_orders',
      help: 'Open 0trace orders (NEW, PENDING, EXCHANGE, EMERGENCY) by mode and status',
      labelNames: ['mode', 'status'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await probe(probes().exchangeOrders);
        this.reset();
        for (const r of rows ?? []) this.set({ mode: r.mode, status: r.status }, r.count);
      },
    });
    this.redisUp = new Gauge({
      name: 'redis_up',
      help: 'Whether Redis answers a PING (1) or not (0); only in processes with REDIS_URL set',
      registers: [],
      async collect() {
        const state = await probe(probes().redis);
        this.set(state === 'ok' ? 1 : 0);
      },
    });
  }

  private readonly redisUp: Gauge;

  /** Sets what the gauges read; `redis_up` is exported only by a process that has Redis. */
  setProbes(probes: MetricProbes): void {
    this.probes = probes;
    this.registry.removeSingleMetric('redis_up');
    if (probes.redis) this.registry.registerMetric(this.redisUp);
  }

  /** Records every answer of `app`: its route template (never the URL), status class and latency. */
  observe(app: FastifyInstance, product: Product): void {
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const labels = {
        product,
        method: request.method,
        route,
        status_class: statusClass(reply.statusCode),
      };
      this.httpRequests.inc(labels);
      this.httpDuration.observe(labels, reply.elapsedTime / 1000);
      if (reply.statusCode === 429) this.rateLimited.inc({ product, route });
      done();
    });
  }

  /** A session event was written (apps/api domain/events.ts). */
  sessionEvent(mode: string, type: string): void {
    const outcome = SESSION_OUTCOMES[type];
    if (outcome) this.sessions.inc({ mode, outcome });
  }

  /** The webhook worker's hooks (@0bit/webhooks/metrics WebhookMetrics). */
  readonly webhooks = {
    attempt: (source: string, outcome: string) => {
      const product = productOfSource(source);
      this.webhookAttempts.inc({ product, outcome });
      if (outcome === 'dead_lettered') this.webhookDeadLettered.inc({ product });
    },
    firstAttempt: (source: string, seconds: number) =>
      this.webhookFirstAttempt.observe({ product: productOfSource(source) }, seconds),
  };

  /** A query's duration (openDatabase's `onQuery`). */
  readonly query = (seconds: number, failed: boolean) =>
    this.dbQueryDuration.observe({ outcome: failed ? 'error' : 'ok' }, seconds);

  /** Times a nonce claim (0trace's nonce stores). */
  async timeNonce<T>(store: 'redis' | 'database', work: () => Promise<T>): Promise<T> {
    const end = this.nonceDuration.startTimer({ store });
    try {
      const result = await work();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  }
}

const SESSION_OUTCOMES: Record<string, string> = {
  'gate_session.created': 'created',
  'gate_session.completed': 'completed',
  'gate_session.failed': 'failed',
  'gate_session.expired': 'expired',
  'gate_session.cancelled': 'cancelled',
};

/** The process's metrics: one registry per process, as Prometheus scrapes processes. */
export const metrics = new PlatformMetrics();

/** METRICS_PORT / METRICS_HOST (README): off unless METRICS_PORT is set; loopback unless METRICS_HOST says. */
export interface MetricsSettings {
  /** null: no metrics server. 0: any free port (tests). */
  port: number | null;
  host: string;
}

export function readMetricsSettings(settings: SettingsReader): MetricsSettings {
  const raw = settings.text('METRICS_PORT');
  return {
    port: raw === undefined ? null : settings.int('METRICS_PORT', 0, 0, 65535),
    host: settings.text('METRICS_HOST') ?? '127.0.0.1',
  };
}

/**
 * Serves `GET /metrics` (text format) on its own port: nothing else, no partner-facing route, and bound to
 * loopback unless METRICS_HOST says otherwise, so it is never public by accident.
 */
export async function serveMetrics(
  registry: Registry,
  settings: { port: number; host: string },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : settings.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
