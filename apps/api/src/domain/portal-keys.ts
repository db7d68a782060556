import { ConflictError, NotFoundError } from '@0bit/core/errors';
import { isObjectId, newObjectId } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import { type Db, inTransaction } from '@0bit/db/connection';
import { lockPartner } from '@0bit/db/partners';
import {
  countActiveSecretKeys,
  findPartnerKey,
  insertApiKeys,
  listPartnerKeys,
  scheduleRevocation,
} from '../store/api-keys.ts';
import { displayPrefix, generateApiKey, hashSecret, type KeyKind } from './keys.ts';
import { toKeySummary } from './partners.ts';
import type { ApiKeySummary } from './shapes.ts';

/** Creates a key of the caller's mode; the raw key is in this answer only. */
export async function createKey(
  db: Db,
  scope: Scope,
  type: KeyKind,
): Promise<ApiKeySummary & { key: string }> {
  const key = generateApiKey(type, scope.mode);
  const id = newObjectId();
  await insertApiKeys(db, [
    {
      id,
      partner_id: scope.partnerId,
      kind: type,
      mode: scope.mode,
      key_hash: hashSecret(key),
      display_prefix: displayPrefix(key),
    },
  ]);
  const row = await findPartnerKey(db, scope.partnerId, id);
  return { ...toKeySummary(row!), key };
}

export async function listKeys(db: Db, scope: Scope): Promise<ApiKeySummary[]> {
  return (await listPartnerKeys(db, scope.partnerId)).filter((k) => k.mode === scope.mode).map(toKeySummary);
}

/**
 * Revokes a key now, or in `expiresIn` seconds to roll it gracefully (deploy the new key, then let the old
 * one lapse). The mode must keep at least one secret key with no revocation scheduled.
 */
export async function revokeKey(db: Db, scope: Scope, id: string, expiresIn = 0): Promise<ApiKeySummary> {
  return inTransaction(db, async (trx) => {
    // Two revocations at once must not both see "another active key" and leave none.
    await lockPartner(trx, scope.partnerId);
    const row = isObjectId(id) ? await findPartnerKey(trx, scope.partnerId, id) : undefined;
    if (!row || row.mode !== scope.mode)
      throw new NotFoundError(`No ${scope.mode} key ${id} for this partner`);
    if (
      row.kind === 'secret' &&
      row.revoked_at === null &&
      (await countActiveSecretKeys(trx, scope.partnerId, scope.mode)) <= 1
    )
      throw new ConflictError(
        `This is your last active ${scope.mode} secret key; create a new one (POST /portal/keys) before revoking it`,
      );
    return toKeySummary(await scheduleRevocation(trx, id, expiresIn));
  });
}
