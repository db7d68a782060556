import { openPlatform } from './platform.ts';
import { widgetServer } from './services.ts';
import { startUnits, stopOnSignals } from './units.ts';

/**
 * The hosted widget alone on WIDGET_PORT, calling the 0Gate API at WIDGET_API_BASE_URL (default
 * http://localhost:PORT). `npm run cluster` runs it as its own process next to the API instances; `npm start`
 * serves it inside the platform process instead. It opens no database: the widget talks to the API only.
 */
async function main(): Promise<void> {
  const platform = openPlatform();
  const { started, lines } = await startUnits(
    [widgetServer(platform, { port: platform.config.port })],
    platform.log,
  );
  stopOnSignals(started, platform.log);
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error('0Gate widget failed to start:', error);
  process.exit(1);
});
