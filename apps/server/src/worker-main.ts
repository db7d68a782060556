import { startWebhookWorker } from '@0bit/webhooks/start';
import pino from 'pino';
import { openPlatform } from './platform.ts';

/**
 * `npm run worker`: the webhook worker alone, for deployments that run it apart from the API (PostgreSQL;
 * on PGlite `npm start` already runs it, since one process owns the data directory).
 */
const { config, database, box, counter } = await openPlatform();
await counter?.close(); // the worker sends webhooks; it has no requests to rate-limit
const log = pino({ level: config.logLevel });
const worker = startWebhookWorker(database, box, config.webhooks, log);
log.info('webhook worker started; it dispatches while it holds the leader lock');

let stopping = false;
const stop = async () => {
  if (stopping) process.exit(1);
  stopping = true;
  await worker.stop();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
