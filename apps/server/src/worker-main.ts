import { openPlatform } from './platform.ts';
import { webhookWorker } from './services.ts';
import { startTracing, tracingUnit } from './tracing.ts';
import { startUnits, stopOnSignals } from './units.ts';

/**
 * `npm run worker`: the webhook worker alone, for deployments that run it apart from the API (PostgreSQL;
 * on PGlite `npm start` already runs it, since one process owns the data directory). No counter unit: the
 * worker sends webhooks; it has no requests to rate-limit.
 */
const tracing = await startTracing({ serviceName: '0bit-webhook-worker' });
const platform = openPlatform();
const { started } = await startUnits(
  [tracingUnit(tracing), platform.databaseUnit(), webhookWorker(platform)],
  platform.log,
);
stopOnSignals(started, platform.log);
platform.log.info('webhook worker started; it dispatches while it holds the leader lock');
