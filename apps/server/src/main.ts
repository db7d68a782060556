import { openPlatform } from './platform.ts';
import {
  demoExchangeCredentials,
  demoPartnerPrintout,
  exampleShop,
  exchangeApi,
  gateApi,
  hubServer,
  metricsServer,
  settlement,
  sweep,
  webhookWorker,
  widgetServer,
} from './services.ts';
import { startTracing, tracingUnit } from './tracing.ts';
import { note, shutdownOptions, startUnits, stopOnSignals, type Unit } from './units.ts';

/**
 * `npm start`: every app and background service of the platform in one process, as units started in this
 * order and stopped in reverse (HTTP servers stop taking requests before the services and the database
 * behind them close). The order is also the order of the lines printed at start-up.
 */
async function main(): Promise<void> {
  // Before anything opens a database or a server: spans need the SDK started (off unless OTEL_* say so).
  const tracing = await startTracing({ serviceName: '0bit-platform' });
  const platform = openPlatform();
  const { config } = platform;
  const gate = gateApi(platform);
  // The 0trace partner API: same process and database (on PGlite there is only one connection), its own port.
  const exchange = config.exchange.enabled ? exchangeApi(platform) : null;
  const widget = config.widget.enabled ? widgetServer(platform, gate) : null;
  const units: Unit[] = [
    tracingUnit(tracing),
    platform.databaseUnit(),
    platform.counterUnit(),
    metricsServer(platform, { webhookBacklog: config.webhooks.workerEnabled, exchangeOrders: !!exchange }),
    ...(config.webhooks.workerEnabled ? [webhookWorker(platform)] : []),
    sweep(platform),
    ...(exchange ? [settlement(platform)] : []),
    gate,
    exchange ?? note('0trace API', ['0trace partner API: off (EXCHANGE_ENABLED=false)']),
    demoPartnerPrintout(platform),
    // The hosted widget and, for the demo partner, the example shop: the whole integration on one machine.
    ...(widget ? [widget] : []),
    ...(widget && config.demoPartner ? [exampleShop(platform, widget)] : []),
    ...(exchange && config.demoPartner ? [demoExchangeCredentials(platform)] : []),
    ...(config.hub.enabled ? [hubServer(platform)] : []),
  ];
  const { started, lines } = await startUnits(units, platform.log);
  stopOnSignals(started, platform.log, shutdownOptions(platform));
  // Through the log destination, not console.log: a stdout nobody reads must never block the process.
  platform.logs.print(`${lines.join('\n')}\n\n`);
  platform.log.info(
    { address: gate.address, port: gate.port, exchange: exchange?.address ?? null },
    'API listening',
  );
}

main().catch((error) => {
  console.error('0Gate API failed to start:', error);
  process.exit(1);
});
