import { SecretBox } from '@0bit/core/secret-box';
import { type OpenedDatabase, openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import { FallbackCounter, MemoryCounter, RedisCounter, type WindowCounter } from '@0bit/http/counters';
import type { ReadinessProbes } from '@0bit/http/health';
import { type LogDestination, processLogDestination } from '@0bit/http/log-destination';
import { metrics } from '@0bit/http/metrics';
import { logSerializersFor } from '@0bit/http/request-logger';
import { leaderLockHeld } from '@0bit/webhooks/coordinator';
import type { FastifyServerOptions } from 'fastify';
import pino, { type Logger } from 'pino';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type LocalSecrets, resolveLocalSecrets } from './dev/local-secrets.ts';
import type { Unit } from './units.ts';

/**
 * What every server process of the platform starts from: settings, secrets, and — once their units have
 * started — the migrated database and the rate-limit counters.
 */
export class Platform {
  readonly box: SecretBox;
  /** For the platform's own lines (migrations, sweeps, settlement, shutdown); each app has its request log. */
  readonly log: Logger;
  /**
   * stdout for every logger of the process and its start-up lines: asynchronous, bounded, and off for good
   * when the pipe breaks, so logging can never block or break shutdown (@0bit/http/log-destination).
   */
  readonly logs: LogDestination = processLogDestination();
  /** Migrations the database unit applied. */
  migrated: string[] = [];
  /** Set by the webhook worker unit while it runs in this process (on PGlite: the leader). */
  workerRunning = false;
  #database: OpenedDatabase | undefined;
  #counter: WindowCounter | null = null;

  constructor(
    readonly config: Config,
    readonly secrets: LocalSecrets,
  ) {
    this.box = new SecretBox(secrets.secretsKey, config.secretsKeyPrevious);
    this.log = pino(
      { level: config.logLevel, serializers: logSerializersFor([secrets.adminToken]) },
      this.logs.stream,
    );
  }

  /** What each app's Fastify logger is built from: the platform's level, redaction and stdout destination. */
  loggerOptions(): NonNullable<FastifyServerOptions['logger']> {
    return {
      level: this.config.logLevel,
      serializers: logSerializersFor([this.secrets.adminToken]),
      stream: this.logs.stream,
    };
  }

  get database(): OpenedDatabase {
    if (!this.#database) throw new Error('the database unit has not started');
    return this.#database;
  }

  /**
   * Rate-limit counters: Redis when REDIS_URL is set (per-process memory while it is down), memory otherwise,
   * none when RATE_LIMITS=off or the process has no counter unit (the worker has no requests to limit).
   */
  get counter(): WindowCounter | null {
    return this.#counter;
  }

  /** Opens the database (PostgreSQL, or PGlite in DATA_DIR) and migrates it to the latest schema. */
  databaseUnit(): Unit {
    return {
      name: 'database',
      start: async () => {
        const { config } = this;
        this.#database = await openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          poolSize: config.databasePoolSize,
          preparedStatements: config.databasePreparedStatements,
          onQuery: metrics.query,
        });
        this.migrated = await migrateToLatest(this.#database.db);
        if (this.migrated.length > 0) this.log.info({ migrations: this.migrated }, 'database migrated');
      },
      stop: async () => {
        await this.#database?.close();
      },
    };
  }

  /**
   * What /health/ready checks besides the database and Redis: migrations (always), and whether a webhook
   * worker holds the leader lock — any process's on PostgreSQL, this process's own on PGlite.
   */
  readiness(): ReadinessProbes {
    return {
      settings: this.config.health,
      leader: async () =>
        this.database.kind === 'pglite' ? this.workerRunning : leaderLockHeld(this.database.db),
    };
  }

  /** The rate-limit counters (Redis connection) for the APIs of this process. */
  counterUnit(): Unit {
    return {
      name: this.config.redisUrl ? 'Redis counter' : 'rate-limit counter',
      start: async () => {
        const { config } = this;
        this.#counter = !config.rateLimits
          ? null
          : config.redisUrl
            ? new FallbackCounter(new RedisCounter(config.redisUrl, config.redisKeyPrefix))
            : new MemoryCounter();
      },
      stop: async () => {
        await this.#counter?.close();
      },
    };
  }
}

/**
 * Reads the configuration once from process.env (exiting with every problem named if it is invalid) and the
 * local secrets; the database and counters open when their units start.
 */
export function openPlatform(): Platform {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  return new Platform(config, resolveLocalSecrets(config.dataDir, config));
}
