/**
 * `npm run exchange`: the 0trace partner API as a process of its own — the unit to scale out on PostgreSQL
 * (several of these behind a load balancer, nonces in Redis). `npm start` serves the same app inside the
 * platform process instead, because PGlite allows one process per data directory.
 */

import { openPlatform } from './platform.ts';
import { demoExchangeCredentials, exchangeApi, metricsServer, settlement, sweep } from './services.ts';
import { startTracing, tracingUnit } from './tracing.ts';
import { shutdownOptions, startUnits, stopOnSignals } from './units.ts';

async function main(): Promise<void> {
  const tracing = await startTracing({ serviceName: '0bit-exchange' });
  const platform = openPlatform();
  const { started, lines } = await startUnits(
    [
      tracingUnit(tracing),
      platform.databaseUnit(),
      platform.counterUnit(),
      metricsServer(platform, { exchangeOrders: true }),
      settlement(platform),
      sweep(platform, 'exchange'),
      exchangeApi(platform, true),
      demoExchangeCredentials(platform, true),
    ],
    platform.log,
  );
  stopOnSignals(started, platform.log, shutdownOptions(platform));
  platform.logs.print(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error('0trace partner API failed to start:', error);
  process.exit(1);
});
