import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { sql } from 'kysely';

/** How long a key is remembered (spec: 24 h). */
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface StoredResponse {
  fingerprint: string;
  response_status: number | null;
  response_body_sealed: string | null;
}

/**
 * Claims a key inside the caller's transaction. Returns true when this request owns it (new, or the old
 * use has aged out). When another transaction holds the same key, PostgreSQL makes this statement wait
 * until that transaction ends, so concurrent duplicates are serialised on the key, not on the table.
 */
export async function claimKey(db: Db, scope: Scope, key: string, fingerprint: string): Promise<boolean> {
  const row = await db
    .insertInto('idempotency_keys')
    .values({ partner_id: scope.partnerId, mode: scope.mode, key, fingerprint })
    .onConflict((oc) =>
      oc
        .columns(['partner_id', 'mode', 'key'])
        .doUpdateSet({
          fingerprint,
          response_status: null,
          response_body_sealed: null,
          created_at: sql`now()`,
        })
        .where(
          sql<boolean>`idempotency_keys.created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
        ),
    )
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}

export async function findKey(db: Db, scope: Scope, key: string): Promise<StoredResponse | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'response_status', 'response_body_sealed'])
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('key', '=', key)
    .where('created_at', '>=', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)
    .executeTakeFirst();
}

export async function saveResponse(db: Db, scope: Scope, key: string, status: number, bodySealed: string) {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body_sealed: bodySealed })
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('key', '=', key)
    .execute();
}

/** Stores the outcome of a request whose own transaction rolled back (a 4xx from the domain). */
export async function insertResponse(
  db: Db,
  scope: Scope,
  key: string,
  fingerprint: string,
  status: number,
  bodySealed: string,
): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values({
      partner_id: scope.partnerId,
      mode: scope.mode,
      key,
      fingerprint,
      response_status: status,
      response_body_sealed: bodySealed,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteExpiredKeys(db: Db): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
