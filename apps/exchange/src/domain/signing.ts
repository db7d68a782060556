import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Audit } from '@0bit/db/audit';
import { type Db, inTransaction } from '@0bit/db/connection';
import { findPartner } from '@0bit/db/partners';
import { traceError } from '../errors.ts';
import { findCredentialForSigning, requiresV2, setRequiresV2 } from '../store/settings.ts';
import { ENVIRONMENT_OF } from './credentials.ts';

/**
 * "v2 everywhere": once on, body-only signatures are refused on every route of this environment, not only
 * on the sensitive ones. Reads the setting when `requireV2` is undefined; audits actual changes.
 */
export async function signingPolicy(db: Db, scope: Scope, requireV2: boolean | undefined, audit?: Audit) {
  return inTransaction(db, async (trx) => {
    if (!(await findPartner(trx, scope.partnerId)))
      throw traceError('NOT_FOUND', `No partner ${scope.partnerId}`);
    const before = await requiresV2(trx, scope);
    if (requireV2 !== undefined && requireV2 !== before) {
      await setRequiresV2(trx, scope, requireV2);
      await audit?.(trx, {
        action: 'exchange.signing.update',
        target: 'signing',
        before: { requireV2: before },
        after: { requireV2 },
      });
    }
    return { environment: ENVIRONMENT_OF[scope.mode], requireV2: requireV2 ?? before };
  });
}

/**
 * The credential an apiKey hash names, if it still works, with its account's signing policy and its opened
 * apiSecret: everything the signature check of one request needs, in one query.
 */
export async function signingCredential(db: Db, box: SecretBox, apiKeyHash: string) {
  const found = await findCredentialForSigning(db, apiKeyHash);
  return found && { ...found, secret: box.open(found.credential.api_secret_sealed) };
}
