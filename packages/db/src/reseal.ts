import type { SecretBox } from '@0bit/core/secret-box';
import { sql } from 'kysely';
import type { Db } from './connection.ts';

/**
 * Every column that holds a value sealed with SECRETS_KEY (@0bit/core/secret-box). A new sealed column must
 * be listed here, or a key rotation would leave it behind (packages/db/test/reseal.test.ts checks the
 * generated row types for columns named `*_sealed`).
 */
export const SEALED_COLUMNS = [
  { table: 'gate_sessions', column: 'kyc_package_sealed' },
  { table: 'idempotency_keys', column: 'response_body_sealed' },
  { table: 'webhook_secrets', column: 'secret_sealed' },
  { table: 'exchange_credentials', column: 'api_secret_sealed' },
  { table: 'exchange_idempotency', column: 'response_sealed' },
] as const;

export interface ResealCount {
  table: string;
  column: string;
  /** Sealed values looked at. */
  checked: number;
  /** Moved to the current key (or, on a dry run, that would be). */
  resealed: number;
  /** Already under the current key. */
  current: number;
  /** Changed by the platform while this ran: left for the next run (it was sealed with the current key). */
  skipped: number;
  /** Opened by no configured key: SECRETS_KEY_PREVIOUS lacks the key that sealed them. */
  unreadable: number;
}

/**
 * Re-seals every stored secret under the box's current key, in batches, while the platform runs: each row is
 * read by its physical address (ctid) and written back only if its sealed value is still the one read, so a
 * value the platform rewrote meanwhile (already under the current key) is never overwritten. It needs no
 * lock and no downtime; a run can be repeated or interrupted at any point. Run it after
 * every instance seals with the new key; afterwards SECRETS_KEY_PREVIOUS can be removed.
 */
export async function resealAll(
  db: Db,
  box: SecretBox,
  options: { dryRun?: boolean; batchSize?: number } = {},
): Promise<ResealCount[]> {
  const batchSize = options.batchSize ?? 500;
  const counts: ResealCount[] = [];
  for (const { table, column } of SEALED_COLUMNS) {
    const count: ResealCount = {
      table,
      column,
      checked: 0,
      resealed: 0,
      current: 0,
      skipped: 0,
      unreadable: 0,
    };
    let after = '(0,0)';
    // A rewritten row moves to a new ctid, possibly later in this scan: what this run wrote is not counted twice.
    const written = new Set<string>();
    for (;;) {
      const { rows } = await sql<{ ctid: string; sealed: string }>`
        SELECT ctid::text AS ctid, ${sql.ref(column)} AS sealed FROM ${sql.table(table)}
        WHERE ctid > ${after}::tid AND ${sql.ref(column)} IS NOT NULL
        ORDER BY ctid LIMIT ${batchSize}
      `.execute(db);
      if (rows.length === 0) break;
      after = rows.at(-1)!.ctid;
      for (const row of rows) {
        if (written.has(row.sealed)) continue;
        count.checked++;
        let resealed: string | null;
        try {
          resealed = box.reseal(row.sealed);
        } catch {
          count.unreadable++;
          continue;
        }
        if (resealed === null) {
          count.current++;
          continue;
        }
        if (options.dryRun) {
          count.resealed++;
          continue;
        }
        const result = await sql`
          UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${resealed}
          WHERE ctid = ${row.ctid}::tid AND ${sql.ref(column)} = ${row.sealed}
        `.execute(db);
        if (Number(result.numAffectedRows ?? 0) === 1) {
          count.resealed++;
          written.add(resealed);
        } else count.skipped++;
      }
    }
    counts.push(count);
  }
  return counts;
}
