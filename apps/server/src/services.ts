import { buildApp } from '@0bit/api/app';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { recoverInFlightIntents } from '@0bit/api/domain/ramp/widget';
import { expireDue } from '@0bit/api/domain/sessions';
import { sweepIdempotencyKeys } from '@0bit/db/idempotency';
import { startSettlement } from '@0bit/exchange/settlement';
import { countOpenOrders } from '@0bit/exchange/store/order-counts';
import { metrics, serveMetrics } from '@0bit/http/metrics';
import { webhookBacklog } from '@0bit/webhooks/metrics';
import { startWebhookWorker } from '@0bit/webhooks/start';
import type { FastifyInstance } from 'fastify';
import { startExampleShop, startWidget } from './dev/demo-apps.ts';
import { ensureDemoExchangeCredentials } from './dev/demo-exchange-credentials.ts';
import { ensureDemoHubOwner } from './dev/demo-hub-owner.ts';
import { demoAllowedDomains, ensureDemoPartner } from './dev/demo-partner.ts';
import { buildConfiguredExchange } from './exchange.ts';
import { buildWiredHub } from './hub.ts';
import type { Platform } from './platform.ts';
import { exchangeProviders, rampProviders } from './providers.ts';
import { closeWithin, type Unit } from './units.ts';

/**
 * The platform's apps and background services as start/stop units (units.ts); main.ts, worker-main.ts and
 * exchange-main.ts each compose a list of them.
 */

/** The demo partner's pages on this start's WIDGET_PORT and EXAMPLE_PORT. */
const demoDomains = (config: Platform['config']) =>
  demoAllowedDomains({ widget: config.widget.port, example: config.widget.examplePort });

const portOf = (app: { server: { address(): unknown } }): number | null => {
  const address = app.server.address();
  return address && typeof address === 'object' ? (address as { port: number }).port : null;
};

/** The 0Gate API (apps/api) on PORT. */
export interface GateApiUnit extends Unit {
  /** Where it listens, once started. */
  readonly port: number;
  readonly address: string | undefined;
}

export function gateApi(platform: Platform): GateApiUnit {
  const { config, secrets } = platform;
  let app: FastifyInstance | undefined;
  let address: string | undefined;
  return {
    name: '0Gate API',
    get port() {
      return (app && portOf(app)) ?? config.port;
    },
    get address() {
      return address;
    },
    async start() {
      app = await buildApp({
        db: platform.database.db,
        box: platform.box,
        adminToken: secrets.adminToken,
        hostModes: config.hostModes,
        counter: platform.counter,
        trustProxy: config.trustProxy,
        keyCacheTtlMs: config.keyCacheTtlMs,
        tokens: new EmbedTokens(secrets.embedTokenKeys, config.embedTokenTtlSeconds),
        widgetOrigins: config.widgetOrigins,
        amountBounds: config.sessionAmountBounds,
        hubUrl: config.hub.publicUrl,
        egress: { allowLoopback: config.webhooks.allowLoopback },
        logger: platform.loggerOptions(),
        readiness: platform.readiness(),
        metrics,
        timeouts: config.httpTimeouts,
        rampProviders: rampProviders(),
      });
      address = await app.listen({ port: config.port, host: config.host });
      const port = this.port;
      const where = platform.database.kind === 'pglite' ? `PGlite in ${config.dataDir}` : 'PostgreSQL';
      return [
        '',
        `0Gate API listening on http://localhost:${port}  (${where})`,
        `  OpenAPI:  http://localhost:${port}/v1/openapi.json    Health: http://localhost:${port}/health`,
        `  Webhook worker: ${config.webhooks.workerEnabled ? 'running in this process' : 'off (WEBHOOK_WORKER_ENABLED=false; run npm run worker)'}`,
      ];
    },
    async stop() {
      if (app) await closeWithin(app, config.shutdownGraceMs);
    },
  };
}

/** The 0trace partner API (apps/exchange) on EXCHANGE_PORT; `standalone` is `npm run exchange`. */
export interface ExchangeApiUnit extends Unit {
  readonly address: string | undefined;
}

export function exchangeApi(platform: Platform, standalone = false): ExchangeApiUnit {
  let app: FastifyInstance | undefined;
  let address: string | undefined;
  return {
    name: '0trace API',
    get address() {
      return address;
    },
    async start() {
      app = await buildConfiguredExchange(platform);
      address = await app.listen({ port: platform.config.exchange.port, host: platform.config.host });
      const port = portOf(app);
      return [
        standalone
          ? `0trace partner API listening on http://localhost:${port}  (standalone)`
          : `0trace partner API listening on http://localhost:${port}  (POST /api/v1/price|create|order; docs/exchange/quickstart.md)`,
      ];
    },
    async stop() {
      if (app) await closeWithin(app, platform.config.shutdownGraceMs);
    },
  };
}

/** The 0Gate webhook worker (@0bit/webhooks): dispatches while it holds the leader lock. */
export function webhookWorker(platform: Platform): Unit {
  let worker: { stop: (graceMs?: number) => Promise<void> } | undefined;
  return {
    name: 'webhook worker',
    async start() {
      worker = startWebhookWorker(
        platform.database,
        platform.box,
        platform.config.webhooks,
        platform.log,
        undefined,
        metrics.webhooks,
      );
      platform.workerRunning = true;
    },
    async stop() {
      platform.workerRunning = false;
      // Attempts in flight finish within the grace period; the rest are aborted and their claims released.
      await worker?.stop(platform.config.shutdownGraceMs);
    },
  };
}

/**
 * The sweep, every SESSION_SWEEP_INTERVAL_SECONDS. `platform` (npm start): expire 0Gate sessions nobody reads,
 * so partners still get gate_session.expired; forget both products' idempotency keys past their 24 h
 * (docs/idempotency.md); resolve widget payments a crash left in flight by asking their provider
 * (docs/widget-api.md). `exchange` (npm run exchange alone): the idempotency keys only.
 */
export function sweep(platform: Platform, scope: 'platform' | 'exchange' = 'platform'): Unit {
  const { config, log } = platform;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const providers = rampProviders();
  const once = () => {
    const db = platform.database.db;
    if (scope === 'exchange')
      return sweepIdempotencyKeys(db).catch((err) => log.warn({ err }, 'sweep failed; will retry'));
    return expireDue(db, null)
      .then((n) => n > 0 && log.info({ expired: n }, 'expired sessions past their deadline'))
      .then(() => sweepIdempotencyKeys(db))
      .then(() => recoverInFlightIntents({ db, providers }))
      .then(
        (r) => r.succeeded + r.failed + r.unresolved > 0 && log.warn(r, 'recovered in-flight widget intents'),
      )
      .catch((err) => log.warn({ err }, 'sweep failed; will retry'));
  };
  return {
    name: scope === 'exchange' ? 'idempotency sweep' : 'session/idempotency/intent sweep',
    async start() {
      timer = setInterval(() => {
        running = once();
      }, config.sessionSweepIntervalMs);
    },
    async stop() {
      clearInterval(timer);
      // A sweep in flight finishes before the database below it closes.
      await running;
    },
  };
}

/** 0trace settlement: expiry, payouts, refunds and their crash recovery, once a second. */
export function settlement(platform: Platform): Unit {
  let running: { stop: () => Promise<void> } | undefined;
  return {
    name: '0trace settlement',
    async start() {
      running = startSettlement(
        { db: platform.database.db, providers: exchangeProviders() },
        1000,
        platform.log,
      );
    },
    async stop() {
      await running?.stop();
    },
  };
}

/** The demo partner's keys (and a generated admin token), printed for local development. */
export function demoPartnerPrintout(platform: Platform): Unit {
  const { config, secrets } = platform;
  return {
    name: 'demo partner print-out',
    async start() {
      const lines: string[] = [];
      if (secrets.generated.adminToken)
        lines.push(
          `  Admin token (generated into ${config.dataDir}/local-secrets.json): ${secrets.adminToken}`,
        );
      if (!config.demoPartner) return lines;
      const { demo, created, partnerId } = await ensureDemoPartner(
        platform.database.db,
        config.dataDir,
        demoDomains(config),
      );
      lines.push(
        `  Demo partner ${partnerId}${created ? ' (created now)' : ''}, allowed domains ${demoDomains(config).join(', ')}`,
      );
      if (demo)
        lines.push(
          `    publishable key (test): ${demo.publishable_key}`,
          `    secret key (test):      ${demo.secret_key}`,
        );
      else
        lines.push(
          `    its keys were shown when it was created; ${config.dataDir}/demo-partner.json is missing`,
        );
      return lines;
    },
    async stop() {},
  };
}

/** The demo partner's 0trace sandbox credentials; `standalone` prints the apiKey only (npm run exchange). */
export function demoExchangeCredentials(platform: Platform, standalone = false): Unit {
  const { config } = platform;
  return {
    name: 'demo 0trace credentials print-out',
    async start() {
      if (!config.demoPartner) return;
      const { partnerId } = await ensureDemoPartner(
        platform.database.db,
        config.dataDir,
        demoDomains(config),
      );
      const creds = await ensureDemoExchangeCredentials(
        platform.database.db,
        platform.box,
        config.dataDir,
        partnerId,
      );
      if (!creds) return;
      if (standalone)
        return [`  Demo sandbox apiKey: ${creds.apiKey} (all three in ${config.dataDir}/demo-exchange.json)`];
      return [
        '  Demo 0trace sandbox credentials:',
        `    apiKey:        ${creds.apiKey}`,
        `    apiSecret:     ${creds.apiSecret}`,
        `    webhookSecret: ${creds.webhookSecret}`,
      ];
    },
    async stop() {},
  };
}

/** The hosted widget (apps/widget, built) on WIDGET_PORT, calling the 0Gate API. */
export interface WidgetUnit extends Unit {
  readonly url: string;
  readonly apiBaseUrl: string;
}

/** `gate` says where the 0Gate API listens, for the widget's default API base URL (WIDGET_API_BASE_URL wins). */
export function widgetServer(platform: Platform, gate: { readonly port: number }): WidgetUnit {
  const { config } = platform;
  let widget: Awaited<ReturnType<typeof startWidget>> | undefined;
  return {
    name: 'widget server',
    get apiBaseUrl() {
      return config.widget.apiBaseUrl ?? `http://localhost:${gate.port}`;
    },
    get url() {
      return `http://localhost:${widget && portOf(widget)}`;
    },
    async start() {
      widget = await startWidget({
        port: config.widget.port,
        host: config.host,
        apiBaseUrl: this.apiBaseUrl,
      });
      return [`0Gate widget on ${this.url}  (WIDGET_ORIGIN must be this origin)`];
    },
    async stop() {
      await widget?.close();
    },
  };
}

/** examples/partner-node for the demo partner: the whole integration on one machine. */
export function exampleShop(platform: Platform, widget: WidgetUnit): Unit {
  const { config } = platform;
  let shop: { url: string; close: () => Promise<void> } | undefined;
  return {
    name: 'example shop',
    async start() {
      const { demo } = await ensureDemoPartner(platform.database.db, config.dataDir, demoDomains(config));
      if (!demo) return;
      shop = await startExampleShop({
        db: platform.database.db,
        box: platform.box,
        dataDir: config.dataDir,
        demo,
        port: config.widget.examplePort,
        host: config.host,
        apiBaseUrl: widget.apiBaseUrl,
        widgetUrl: widget.url,
      });
      return [
        `Example shop (examples/partner-node) on ${shop.url}  — open it to buy, sell or swap in the sandbox`,
      ];
    },
    async stop() {
      await shop?.close();
    },
  };
}

/** The Partner Hub console (apps/hub) on HUB_PORT; with the demo partner, its owner's sign-in (docs/hub.md). */
export function hubServer(platform: Platform): Unit {
  const { config } = platform;
  let app: FastifyInstance | undefined;
  return {
    name: 'Partner Hub',
    async start() {
      app = await buildWiredHub({
        db: platform.database.db,
        counter: platform.counter,
        publicUrl: config.hub.publicUrl,
        smtpUrl: config.hub.smtpUrl,
        mailFrom: config.hub.mailFrom,
        devOutbox: !config.production,
        trustProxy: config.trustProxy,
        logger: platform.loggerOptions(),
      });
      await app.listen({ port: config.hub.port, host: config.host });
      const lines = [`Partner Hub on http://localhost:${portOf(app)}  (docs/hub.md)`];
      if (!config.hub.smtpUrl && !config.production)
        lines.push(`  Mail: SMTP_URL is not set; invitations go to http://localhost:${portOf(app)}/outbox`);
      if (config.demoPartner) {
        const { partnerId } = await ensureDemoPartner(
          platform.database.db,
          config.dataDir,
          demoDomains(config),
        );
        const owner = await ensureDemoHubOwner(platform.database.db, config.dataDir, partnerId);
        lines.push(
          owner.password
            ? `  Demo sign-in: ${owner.email} / ${owner.password}  (shown once; kept in ${owner.file})`
            : `  Demo sign-in: ${owner.email}, password in ${owner.file}`,
        );
      }
      return lines;
    },
    async stop() {
      if (app) await closeWithin(app, config.shutdownGraceMs);
    },
  };
}

/**
 * The Prometheus endpoint (METRICS_PORT; off when unset) and what this process's gauges read: the webhook
 * backlog where a worker runs, open 0trace orders where settlement runs, the pool and Redis everywhere.
 * One endpoint per process: every process of a deployment is its own scrape target.
 */
export function metricsServer(
  platform: Platform,
  reports: { webhookBacklog?: boolean; exchangeOrders?: boolean } = {},
): Unit {
  const { config } = platform;
  let served: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  return {
    name: 'metrics endpoint',
    async start() {
      const db = platform.database.db;
      const counter = platform.counter;
      metrics.setProbes({
        ...(reports.webhookBacklog ? { webhookBacklog: () => webhookBacklog(db) } : {}),
        ...(reports.exchangeOrders ? { exchangeOrders: () => countOpenOrders(db) } : {}),
        ...(platform.database.poolStats ? { pool: platform.database.poolStats } : {}),
        ...(config.redisUrl && counter?.check ? { redis: () => counter.check!() } : {}),
      });
      if (config.metrics.port === null) return [];
      served = await serveMetrics(metrics.registry, { port: config.metrics.port, host: config.metrics.host });
      return [`  Metrics (Prometheus): http://${config.metrics.host}:${served.port}/metrics`];
    },
    async stop() {
      await served?.close();
      metrics.setProbes({});
    },
  };
}
