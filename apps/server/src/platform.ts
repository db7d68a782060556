import { SecretBox } from '@0bit/core/secret-box';
import { type OpenedDatabase, openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import { FallbackCounter, MemoryCounter, RedisCounter, type WindowCounter } from '@0bit/http/counters';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type LocalSecrets, resolveLocalSecrets } from './dev/local-secrets.ts';

/** What every server process of the platform starts from: settings, secrets, the migrated database. */
export interface Platform {
  config: Config;
  secrets: LocalSecrets;
  database: OpenedDatabase;
  box: SecretBox;
  /**
   * Rate-limit counters: Redis when REDIS_URL is set (per-process memory while it is down), memory otherwise,
   * none when RATE_LIMITS=off.
   */
  counter: WindowCounter | null;
  /** Migrations this start applied. */
  migrated: string[];
}

/** Reads the configuration (exiting with every problem named if it is invalid) and opens the platform. */
export async function openPlatform(): Promise<Platform> {
  let config: Config;
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
  const migrated = await migrateToLatest(database.db);
  const counter = !config.rateLimits
    ? null
    : config.redisUrl
      ? new FallbackCounter(new RedisCounter(config.redisUrl, config.redisKeyPrefix))
      : new MemoryCounter();
  return { config, secrets, database, box: new SecretBox(secrets.secretsKey), counter, migrated };
}
