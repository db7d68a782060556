/**
 * `npm run exchange`: the 0trace partner API as a process of its own — the unit to scale out on PostgreSQL
 * (several of these behind a load balancer, nonces in Redis). `npm start` serves the same app inside the
 * platform process instead, because PGlite allows one process per data directory.
 */
import { logSerializers } from '../../api/src/app.ts';
import { ConfigError, loadConfig } from '../../api/src/config.ts';
import { ensureDemoPartner } from '../../api/src/dev/demo-partner.ts';
import { resolveLocalSecrets } from '../../api/src/dev/local-secrets.ts';
import { MemoryCounter, RedisCounter } from '../../api/src/store/counters.ts';
import { openDatabase } from '../../api/src/store/db.ts';
import { migrateToLatest } from '../../api/src/store/migrate.ts';
import { SecretBox } from '../../api/src/store/secret-box.ts';
import { buildExchangeApp } from './app.ts';
import { ensureDemoExchangeCredentials } from './dev/demo-credentials.ts';
import { DEFAULT_PROVIDERS } from './domain/providers.ts';
import { startSettlement } from './settlement.ts';
import { DatabaseNonceStore, RedisNonceStore } from './store/nonces.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const secrets = resolveLocalSecrets(config.dataDir, config);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  await migrateToLatest(database.db);
  const box = new SecretBox(secrets.secretsKey);
  const counter = !config.rateLimits
    ? null
    : config.redisUrl
      ? new RedisCounter(config.redisUrl, config.redisKeyPrefix)
      : new MemoryCounter();
  const app = await buildExchangeApp({
    db: database.db,
    box,
    adminToken: secrets.adminToken,
    counter,
    nonces: config.redisUrl
      ? new RedisNonceStore(config.redisUrl, config.redisKeyPrefix)
      : new DatabaseNonceStore(database.db),
    config: config.exchange,
    credentialCacheTtlMs: config.keyCacheTtlMs,
    logger: { level: config.logLevel, serializers: logSerializers },
  });
  const settlement = startSettlement({ db: database.db, providers: DEFAULT_PROVIDERS }, 1000, app.log);
  await app.listen({ port: config.exchange.port, host: config.host });
  const port = (app.server.address() as { port: number }).port;
  const lines = [`0trace partner API listening on http://localhost:${port}  (standalone)`];
  if (config.demoPartner) {
    const { partnerId } = await ensureDemoPartner(database.db, config.dataDir);
    const creds = await ensureDemoExchangeCredentials(database.db, box, config.dataDir, partnerId);
    if (creds)
      lines.push(
        `  Demo sandbox apiKey: ${creds.apiKey} (all three in ${config.dataDir}/demo-exchange.json)`,
      );
  }
  console.log(lines.join('\n'));

  const stop = async () => {
    await app.close();
    await settlement.stop();
    await counter?.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error) => {
  console.error('0trace partner API failed to start:', error);
  process.exit(1);
});
