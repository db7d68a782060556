import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { sql } from 'kysely';
import type { CredentialRow } from './credentials.ts';

/**
 * The credential an apiKey hash names, if it still works, with its account's signing policy: one query,
 * since every signed request needs both.
 */
export async function findCredentialForSigning(
  db: Db,
  apiKeyHash: string,
): Promise<{ credential: CredentialRow; requireV2: boolean } | undefined> {
  const row = await db
    .selectFrom('exchange_credentials as c')
    .leftJoin('exchange_settings as s', (join) =>
      join.onRef('s.partner_id', '=', 'c.partner_id').onRef('s.mode', '=', 'c.mode'),
    )
    .selectAll('c')
    .select(sql<boolean>`coalesce(s.require_signature_v2, false)`.as('require_v2'))
    .where('c.api_key_hash', '=', apiKeyHash)
    .where((eb) => eb.or([eb('c.expires_at', 'is', null), eb('c.expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  if (!row) return undefined;
  const { require_v2, ...credential } = row;
  return { credential, requireV2: require_v2 };
}

export async function requiresV2(db: Db, scope: Scope): Promise<boolean> {
  const row = await db
    .selectFrom('exchange_settings')
    .select('require_signature_v2')
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .executeTakeFirst();
  return row?.require_signature_v2 ?? false;
}

export async function setRequiresV2(db: Db, scope: Scope, value: boolean): Promise<void> {
  await db
    .insertInto('exchange_settings')
    .values({ partner_id: scope.partnerId, mode: scope.mode, require_signature_v2: value })
    .onConflict((oc) =>
      oc.columns(['partner_id', 'mode']).doUpdateSet({ require_signature_v2: value, updated_at: sql`now()` }),
    )
    .execute();
}
