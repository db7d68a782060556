import { type OpenedDatabase, openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import { ConfigError, loadConfig } from '../config.ts';

/** Opens (and migrates) the database the server would use, from the same environment variables. */
export async function openConfiguredDatabase(
  options: { migrate: boolean } = { migrate: true },
): Promise<OpenedDatabase> {
  try {
    const config = loadConfig();
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 2,
    });
    if (options.migrate) await migrateToLatest(database.db);
    return database;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
