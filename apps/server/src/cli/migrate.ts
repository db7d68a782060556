import { migrateToLatest } from '@0bit/db/migrate';
import { openConfiguredDatabase } from './open.ts';

/** `npm run migrate`: apply pending migrations (the server also does this at start-up). */
const database = await openConfiguredDatabase({ migrate: false });
try {
  const applied = await migrateToLatest(database.db);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await database.close();
}
