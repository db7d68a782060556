import { ConflictError, NotFoundError } from '@0bit/core/errors';
import { newObjectId, randomAlphanumeric } from '@0bit/core/ids';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import { toIso } from '@0bit/core/time';
import { type Db, inTransaction } from '@0bit/db/connection';
import { lockScopeSettings } from '@0bit/db/scope-lock';
import {
  type EndpointRow,
  findEndpoint,
  insertSecret,
  notifyTargetChanged,
  retireSigningSecrets,
  type SecretRow,
  upsertEndpoint,
  validSecrets,
} from '@0bit/webhooks/store';
import type { WebhookEndpoint } from './shapes.ts';

/** Default overlap: the previous secret keeps signing for 24 h after a rotation (DESIGN.md). */
export const DEFAULT_OVERLAP_SECONDS = 24 * 3600;

const generateWebhookSecret = () => `whsec_${randomAlphanumeric(32)}`;

function toEndpoint(row: EndpointRow, secrets: SecretRow[]): WebhookEndpoint {
  return {
    object: 'webhook_endpoint',
    url: row.url,
    mode: row.mode,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    secrets: secrets.map((s) => ({
      display_prefix: s.display_prefix,
      created_at: toIso(s.created_at),
      expires_at: toIso(s.expires_at),
    })),
  };
}

export async function getEndpoint(db: Db, scope: Scope): Promise<WebhookEndpoint> {
  const row = await findEndpoint(db, scope);
  if (!row)
    throw new NotFoundError(
      `No webhook endpoint for ${scope.mode} mode yet; set one with PUT /portal/webhook-endpoint {"url": …}`,
    );
  return toEndpoint(row, await validSecrets(db, scope));
}

async function addSecret(db: Db, box: SecretBox, scope: Scope): Promise<string> {
  const secret = generateWebhookSecret();
  await insertSecret(db, {
    id: newObjectId(),
    scope,
    sealed: box.seal(secret),
    displayPrefix: secret.slice(0, 10),
  });
  return secret;
}

/** Sets the mode's endpoint. The first time, also creates the signing secret and returns it (only then). */
export async function setEndpoint(
  db: Db,
  box: SecretBox,
  scope: Scope,
  url: string,
): Promise<WebhookEndpoint & { secret?: string }> {
  return inTransaction(db, async (trx) => {
    // Concurrent first PUTs must create one secret between them (the database allows one current secret).
    await lockScopeSettings(trx, scope);
    const row = await upsertEndpoint(trx, scope, url);
    const existing = await validSecrets(trx, scope);
    const secret = existing.length === 0 ? await addSecret(trx, box, scope) : undefined;
    await notifyTargetChanged(trx, scope);
    const endpoint = toEndpoint(row, await validSecrets(trx, scope));
    return secret ? { ...endpoint, secret } : endpoint;
  });
}

/**
 * Rolls the signing secret: the new one is returned once; the previous keeps signing (a second `v1=` in
 * Gate-Signature) for `expirePreviousIn` seconds so receivers can switch without dropping events.
 */
export async function rotateSecret(
  db: Db,
  box: SecretBox,
  scope: Scope,
  expirePreviousIn: number = DEFAULT_OVERLAP_SECONDS,
): Promise<{
  object: 'webhook_secret';
  secret: string;
  display_prefix: string;
  previous_expires_at: string | null;
}> {
  return inTransaction(db, async (trx) => {
    // One at a time per partner and mode: each retires the one before, so exactly one secret stays current
    // and every secret returned signs at least until its overlap ends.
    await lockScopeSettings(trx, scope);
    if (!(await findEndpoint(trx, scope)))
      throw new ConflictError(
        'Set a webhook endpoint first (PUT /portal/webhook-endpoint); it creates the first secret',
      );
    const previousExpiresAt = await retireSigningSecrets(trx, scope, expirePreviousIn);
    const secret = await addSecret(trx, box, scope);
    await notifyTargetChanged(trx, scope);
    return {
      object: 'webhook_secret',
      secret,
      display_prefix: secret.slice(0, 10),
      previous_expires_at: toIso(previousExpiresAt),
    };
  });
}
