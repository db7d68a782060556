import pino from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { resolveLocalSecrets } from './dev/local-secrets.ts';
import { openDatabase } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { SecretBox } from './store/secret-box.ts';
import { startWebhookWorker } from './webhooks/start.ts';

/**
 * `npm run worker`: the webhook worker alone, for deployments that run it apart from the API (PostgreSQL;
 * on PGlite `npm start` already runs it, since one process owns the data directory).
 */
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
const log = pino({ level: config.logLevel });
const secrets = resolveLocalSecrets(config.dataDir, config);
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  poolSize: config.databasePoolSize,
});
await migrateToLatest(database.db);
const worker = startWebhookWorker(database, new SecretBox(secrets.secretsKey), config.webhooks, log);
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
