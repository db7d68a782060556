import { buildExchangeApp } from '@0bit/exchange/app';
import { DatabaseNonceStore, FallbackNonceStore, RedisNonceStore } from '@0bit/exchange/store/nonces';
import { metrics } from '@0bit/http/metrics';
import type { FastifyInstance } from 'fastify';
import type { Platform } from './platform.ts';
import { exchangeProviders } from './providers.ts';

/** The 0trace API as the platform's settings describe it; `npm start` and `npm run exchange` both use this. */
export function buildConfiguredExchange(
  platform: Pick<
    Platform,
    'config' | 'secrets' | 'database' | 'box' | 'counter' | 'loggerOptions' | 'readiness'
  >,
): Promise<FastifyInstance> {
  const { config, database } = platform;
  return buildExchangeApp({
    db: database.db,
    box: platform.box,
    adminToken: platform.secrets.adminToken,
    counter: platform.counter,
    // Shared by every instance: Redis when the platform has it (the database while Redis is down), else the database.
    nonces: config.redisUrl
      ? new FallbackNonceStore(
          new RedisNonceStore(config.redisUrl, config.redisKeyPrefix),
          new DatabaseNonceStore(database.db),
        )
      : new DatabaseNonceStore(database.db),
    config: config.exchange,
    credentialCacheTtlMs: config.keyCacheTtlMs,
    egress: { allowLoopback: config.webhooks.allowLoopback },
    logger: platform.loggerOptions(),
    readiness: platform.readiness(),
    metrics,
    timeouts: config.httpTimeouts,
    providers: exchangeProviders(),
  });
}
