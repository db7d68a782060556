import type { Scope } from '@0bit/core/scope';
import { sql } from 'kysely';
import type { Db } from './connection.ts';

/**
 * Serialises changes to one partner's settings in one mode — 0trace credentials, webhook secrets of either
 * product, 0trace reference codes — until the transaction ends. Without it, concurrent rotations on
 * PostgreSQL each retired the rows they saw and inserted their own, leaving several "current" rows, and
 * concurrent "make this the default" collided on the one-default index. One key per partner and mode for all
 * of them: a transaction changing several (onboarding) takes one lock, so none can wait on another in a cycle.
 * An advisory lock (PGlite has them too) rather than a row lock: the scope may have no row to lock yet.
 */
export async function lockScopeSettings(trx: Db, scope: Scope): Promise<void> {
  // Outside a transaction the lock would be released as soon as the statement ends.
  if (!trx.isTransaction) throw new Error('lockScopeSettings needs a transaction');
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`settings:${scope.partnerId}:${scope.mode}`}))`.execute(
    trx,
  );
}
