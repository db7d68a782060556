import { buildApp } from '@0bit/api/app';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { DEFAULT_RAMP_PROVIDERS } from '@0bit/api/domain/ramp/providers';
import { recoverInFlightIntents } from '@0bit/api/domain/ramp/widget';
import { expireDue } from '@0bit/api/domain/sessions';
import { sweepIdempotencyKeys } from '@0bit/db/idempotency';
import { DEFAULT_PROVIDERS } from '@0bit/exchange/domain/providers';
import { startSettlement } from '@0bit/exchange/settlement';
import { logSerializersFor } from '@0bit/http/request-logger';
import { startWebhookWorker } from '@0bit/webhooks/start';
import { startExampleShop, startWidget } from './dev/demo-apps.ts';
import { ensureDemoExchangeCredentials } from './dev/demo-exchange-credentials.ts';
import { ensureDemoPartner } from './dev/demo-partner.ts';
import { buildConfiguredExchange } from './exchange.ts';
import { openPlatform } from './platform.ts';

/** `npm start`: read config, open and migrate the database, listen, sweep, and shut down gracefully. */
async function main(): Promise<void> {
  const { config, secrets, database, box, counter, migrated: applied } = await openPlatform();
  const app = await buildApp({
    db: database.db,
    box,
    adminToken: secrets.adminToken,
    hostModes: config.hostModes,
    counter,
    trustProxy: config.trustProxy,
    keyCacheTtlMs: config.keyCacheTtlMs,
    tokens: new EmbedTokens(secrets.embedTokenKeys, config.embedTokenTtlSeconds),
    widgetOrigins: config.widgetOrigins,
    egress: { allowLoopback: config.webhooks.allowLoopback },
    logger: { level: config.logLevel, serializers: logSerializersFor([secrets.adminToken]) },
    timeouts: config.httpTimeouts,
  });
  const log = app.log;
  if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');

  // Expire sessions nobody reads, so partners still get gate_session.expired; forget old idempotency keys (both products');
  // resolve widget payments a crash left in flight by asking their provider (docs/widget-api.md).
  const sweep = setInterval(() => {
    expireDue(database.db, null)
      .then((n) => n > 0 && log.info({ expired: n }, 'expired sessions past their deadline'))
      .then(() => sweepIdempotencyKeys(database.db))
      .then(() => recoverInFlightIntents({ db: database.db, providers: DEFAULT_RAMP_PROVIDERS }))
      .then(
        (r) => r.succeeded + r.failed + r.unresolved > 0 && log.warn(r, 'recovered in-flight widget intents'),
      )
      .catch((err) => log.warn({ err }, 'sweep failed; will retry'));
  }, config.sessionSweepIntervalMs);

  const worker = config.webhooks.workerEnabled
    ? startWebhookWorker(database, box, config.webhooks, log)
    : null;

  // The 0trace partner API: same process and database (on PGlite there is only one connection), its own port.
  const exchange = config.exchange.enabled
    ? await buildConfiguredExchange({ config, secrets, database, box, counter })
    : null;
  const settlement = exchange
    ? startSettlement({ db: database.db, providers: DEFAULT_PROVIDERS }, 1000, exchange.log)
    : null;

  const address = await app.listen({ port: config.port, host: config.host });
  const exchangeAddress = exchange
    ? await exchange.listen({ port: config.exchange.port, host: config.host })
    : null;
  const exchangePort = exchange ? (exchange.server.address() as { port: number }).port : null;
  const port =
    app.server.address() && typeof app.server.address() === 'object'
      ? (app.server.address() as { port: number }).port
      : config.port;
  const lines = [
    '',
    `0Gate API listening on http://localhost:${port}  (${database.kind === 'pglite' ? `PGlite in ${config.dataDir}` : 'PostgreSQL'})`,
    `  OpenAPI:  http://localhost:${port}/v1/openapi.json    Health: http://localhost:${port}/health`,
    `  Webhook worker: ${worker ? 'running in this process' : 'off (WEBHOOK_WORKER_ENABLED=false; run npm run worker)'}`,
    exchange
      ? `0trace partner API listening on http://localhost:${exchangePort}  (POST /api/v1/price|create|order; docs/exchange/quickstart.md)`
      : '0trace partner API: off (EXCHANGE_ENABLED=false)',
  ];
  if (secrets.generated.adminToken)
    lines.push(`  Admin token (generated into ${config.dataDir}/local-secrets.json): ${secrets.adminToken}`);
  if (config.demoPartner) {
    const { demo, created, partnerId } = await ensureDemoPartner(database.db, config.dataDir);
    lines.push(
      `  Demo partner ${partnerId}${created ? ' (created now)' : ''}, allowed domains http://localhost:3000, http://localhost:5173`,
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
  }
  // The hosted widget and, for the demo partner, the example shop: the whole integration on one machine.
  const apiBaseUrl = config.widget.apiBaseUrl ?? `http://localhost:${port}`;
  const widget = config.widget.enabled
    ? await startWidget({ port: config.widget.port, host: config.host, apiBaseUrl })
    : null;
  const widgetPort = widget ? (widget.server.address() as { port: number }).port : null;
  if (widget)
    lines.push(`0Gate widget on http://localhost:${widgetPort}  (WIDGET_ORIGIN must be this origin)`);
  const demoForShop =
    config.demoPartner && widget ? (await ensureDemoPartner(database.db, config.dataDir)).demo : null;
  const shop = demoForShop
    ? await startExampleShop({
        db: database.db,
        box,
        dataDir: config.dataDir,
        demo: demoForShop,
        port: config.widget.examplePort,
        host: config.host,
        apiBaseUrl,
        widgetUrl: `http://localhost:${widgetPort}`,
      })
    : null;
  if (shop)
    lines.push(
      `Example shop (examples/partner-node) on ${shop.url}  — open it to buy, sell or swap in the sandbox`,
    );

  if (config.demoPartner && exchange) {
    const { partnerId } = await ensureDemoPartner(database.db, config.dataDir);
    const creds = await ensureDemoExchangeCredentials(database.db, box, config.dataDir, partnerId);
    if (creds)
      lines.push(
        '  Demo 0trace sandbox credentials:',
        `    apiKey:        ${creds.apiKey}`,
        `    apiSecret:     ${creds.apiSecret}`,
        `    webhookSecret: ${creds.webhookSecret}`,
      );
  }
  console.log(`${lines.join('\n')}\n`);
  log.info({ address, port, exchange: exchangeAddress }, 'API listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal means "now"
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    clearInterval(sweep);
    await app.close();
    await exchange?.close();
    await widget?.close();
    await shop?.close();
    await settlement?.stop();
    await worker?.stop();
    await counter?.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error('0Gate API failed to start:', error);
  process.exit(1);
});
