import { openPlatform } from './platform.ts';
import { metricsServer, webhookWorker } from './services.ts';
import { startTracing, tracingUnit } from './tracing.ts';
import { shutdownOptions, startUnits, stopOnSignals } from './units.ts';

/**
 * `npm run worker`: the webhook worker alone, for deployments that run it apart from the API (PostgreSQL;
 * on PGlite `npm start` already runs it, since one process owns the data directory). No counter unit: the
 * worker sends webhooks; it has no requests to rate-limit.
 */
const tracing = await startTracing({ serviceName: '0bit-webhook-worker' });
const platform = openPlatform();
const { started, lines } = await startUnits(
  [
    tracingUnit(tracing),
    platform.databaseUnit(),
    metricsServer(platform, { webhookBacklog: true }),
    webhookWorker(platform),
  ],
  platform.log,
);
stopOnSignals(started, platform.log, shutdownOptions(platform));
if (lines.length > 0) platform.logs.print(`${lines.join('\n')}\n`);
platform.log.info('webhook worker started; it dispatches while it holds the leader lock');
