/**
 * `npm run exchange`: the 0trace partner API as a process of its own — the unit to scale out on PostgreSQL
 * (several of these behind a load balancer, nonces in Redis). `npm start` serves the same app inside the
 * platform process instead, because PGlite allows one process per data directory.
 */

import { sweepIdempotencyKeys } from '@0bit/db/idempotency';
import { DEFAULT_PROVIDERS } from '@0bit/exchange/domain/providers';
import { startSettlement } from '@0bit/exchange/settlement';
import { ensureDemoExchangeCredentials } from './dev/demo-exchange-credentials.ts';
import { ensureDemoPartner } from './dev/demo-partner.ts';
import { buildConfiguredExchange } from './exchange.ts';
import { openPlatform } from './platform.ts';

async function main(): Promise<void> {
  const platform = await openPlatform();
  const { config, database, box, counter } = platform;
  const app = await buildConfiguredExchange(platform);
  const settlement = startSettlement({ db: database.db, providers: DEFAULT_PROVIDERS }, 1000, app.log);
  // Forget idempotency keys past their 24 h (docs/idempotency.md), as npm start does, when run without it.
  const sweep = setInterval(() => {
    sweepIdempotencyKeys(database.db).catch((err) => app.log.warn({ err }, 'sweep failed; will retry'));
  }, config.sessionSweepIntervalMs);
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
    clearInterval(sweep);
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
