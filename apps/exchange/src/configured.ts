import type { FastifyInstance } from 'fastify';
import { logSerializersFor } from '../../api/src/app.ts';
import type { Platform } from '../../api/src/platform.ts';
import { buildExchangeApp } from './app.ts';
import { DatabaseNonceStore, FallbackNonceStore, RedisNonceStore } from './store/nonces.ts';

/** The 0trace API as the platform's settings describe it; `npm start` and `npm run exchange` both use this. */
export function buildConfiguredExchange(
  platform: Pick<Platform, 'config' | 'secrets' | 'database' | 'box' | 'counter'>,
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
    logger: { level: config.logLevel, serializers: logSerializersFor([platform.secrets.adminToken]) },
    timeouts: config.httpTimeouts,
  });
}
