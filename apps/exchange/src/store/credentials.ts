import type { Mode } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import type { ExchangeCredentialsTable } from '@0bit/db/schema';
import { type Selectable, sql } from 'kysely';

export type CredentialRow = Selectable<ExchangeCredentialsTable>;

export async function insertCredential(
  db: Db,
  row: Omit<CredentialRow, 'created_at' | 'expires_at'>,
): Promise<CredentialRow> {
  return db.insertInto('exchange_credentials').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The credential an apiKey hash names, if it still works (current, or rotated out but in its overlap). */
export async function findUsableCredential(db: Db, apiKeyHash: string): Promise<CredentialRow | undefined> {
  return db
    .selectFrom('exchange_credentials')
    .selectAll()
    .where('api_key_hash', '=', apiKeyHash)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
}

export async function hasCurrentCredential(db: Db, partnerId: string, mode: Mode): Promise<boolean> {
  const row = await db
    .selectFrom('exchange_credentials')
    .select('id')
    .where('partner_id', '=', partnerId)
    .where('mode', '=', mode)
    .where('expires_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the credential is still the current one of its partner and mode (not rotated out). */
export async function isCurrentCredential(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('exchange_credentials')
    .select('id')
    .where('id', '=', id)
    .where('expires_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Starts the overlap window for every credential still working; returns its end, or null if none was. */
export async function retireCredentials(
  db: Db,
  partnerId: string,
  mode: Mode,
  seconds: number,
): Promise<Date | null> {
  const until = sql<Date>`now() + make_interval(secs => ${seconds})`;
  const rows = await db
    .updateTable('exchange_credentials')
    .set({ expires_at: until })
    .where('partner_id', '=', partnerId)
    .where('mode', '=', mode)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', until)]))
    .returning('expires_at')
    .execute();
  return rows[0]?.expires_at ?? null;
}

export interface NonceClaim {
  credentialId: string;
  nonce: string;
}

/**
 * Records nonces in one statement (one commit); answers, in order, whether each was new. The primary key
 * makes concurrent requests on several instances agree: exactly one insert wins. A nonce twice in the same
 * batch is inserted once, and only its first claim wins.
 */
export async function claimNonces(db: Db, claims: NonceClaim[]): Promise<boolean[]> {
  const inserted = await db
    .insertInto('exchange_nonces')
    .values(claims.map((claim) => ({ credential_id: claim.credentialId, nonce: claim.nonce })))
    .onConflict((oc) => oc.columns(['credential_id', 'nonce']).doNothing())
    .returning(['credential_id', 'nonce'])
    .execute();
  const won = new Set(inserted.map((row) => `${row.credential_id} ${row.nonce}`));
  // Set.delete is true once per key: a duplicate later in the batch loses, as it would against another request.
  return claims.map((claim) => won.delete(`${claim.credentialId} ${claim.nonce}`));
}

/** Nonces older than the replay window can never be refused again; forget them. */
export async function deleteOldNonces(db: Db, windowSeconds: number): Promise<number> {
  const result = await db
    .deleteFrom('exchange_nonces')
    .where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
