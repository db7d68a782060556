/**
 * The Partner Hub alone on HUB_PORT, on the platform's database (accounts, sessions, audit) and Redis
 * (sign-in lock-out counters). `npm run cluster` runs it as its own process next to the API instances;
 * `npm start` serves it inside the platform process instead.
 */
import { openPlatform } from './platform.ts';
import { hubServer } from './services.ts';
import { startTracing, tracingUnit } from './tracing.ts';
import { shutdownOptions, startUnits, stopOnSignals } from './units.ts';

async function main(): Promise<void> {
  const tracing = await startTracing({ serviceName: '0bit-hub' });
  const platform = openPlatform();
  const { started, lines } = await startUnits(
    [tracingUnit(tracing), platform.databaseUnit(), platform.counterUnit(), hubServer(platform)],
    platform.log,
  );
  stopOnSignals(started, platform.log, shutdownOptions(platform));
  platform.logs.print(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error('Partner Hub failed to start:', error);
  process.exit(1);
});
