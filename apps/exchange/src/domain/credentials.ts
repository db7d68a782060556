import { hash } from 'node:crypto';
import { AppError } from '@0bit/core/errors';
import { newObjectId, randomAlphanumeric } from '@0bit/core/ids';
import type { Mode, Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Audit } from '@0bit/db/audit';
import { type Db, inTransaction } from '@0bit/db/connection';
import { findPartner, insertPartner } from '@0bit/db/partners';
import { lockScopeSettings } from '@0bit/db/scope-lock';
import type { EgressPolicy } from '@0bit/webhooks/egress';
import { checkEndpointUrl } from '@0bit/webhooks/egress';
import {
  insertSecret,
  notifyTargetChanged,
  retireSigningSecrets,
  upsertEndpoint,
} from '@0bit/webhooks/store';
import { traceError } from '../errors.ts';
import {
  hasCurrentCredential,
  insertCredential,
  isCurrentCredential,
  retireCredentials,
} from '../store/credentials.ts';
import { ensureDefaultRefcode } from '../store/refcodes.ts';

/** 0trace names modes after what partners see: sandbox credentials act in test mode. */
export type Environment = 'sandbox' | 'live';
export const MODE_OF: Record<Environment, Mode> = { sandbox: 'test', live: 'live' };
export const ENVIRONMENT_OF = { test: 'sandbox', live: 'live' } as const;

export const hashApiKey = (apiKey: string): string => hash('sha256', apiKey, 'hex');
/** "rWqZ…Rg": enough to recognise a key in a list, never enough to use it. */
const displayPrefix = (apiKey: string) => `${apiKey.slice(0, 4)}…${apiKey.slice(-2)}`;

async function addApiPair(db: Db, box: SecretBox, scope: Scope, onInsert?: (id: string) => Promise<void>) {
  const apiKey = randomAlphanumeric(32);
  const apiSecret = randomAlphanumeric(48);
  const id = newObjectId();
  await insertCredential(db, {
    id,
    partner_id: scope.partnerId,
    mode: scope.mode,
    api_key_hash: hashApiKey(apiKey),
    display_prefix: displayPrefix(apiKey),
    api_secret_sealed: box.seal(apiSecret),
  });
  await onInsert?.(id);
  return { apiKey, apiSecret };
}

async function addWebhookSecret(
  db: Db,
  box: SecretBox,
  scope: Scope,
  onInsert?: (id: string) => Promise<void>,
): Promise<string> {
  const webhookSecret = randomAlphanumeric(48);
  const id = newObjectId();
  await insertSecret(db, {
    id,
    scope,
    sealed: box.seal(webhookSecret),
    displayPrefix: displayPrefix(webhookSecret),
    source: 'exchange',
  });
  await onInsert?.(id);
  await notifyTargetChanged(db, scope, 'exchange');
  return webhookSecret;
}

/** The three credentials of one environment, shown to the partner exactly once. */
export async function issueCredentials(db: Db, box: SecretBox, partnerId: string, environment: Environment) {
  const scope: Scope = { partnerId, mode: MODE_OF[environment] };
  return inTransaction(db, async (trx) => {
    if (!(await findPartner(trx, partnerId))) throw traceError('NOT_FOUND', `No partner ${partnerId}`);
    await lockScopeSettings(trx, scope);
    if (await hasCurrentCredential(trx, partnerId, scope.mode))
      throw traceError(
        'INVALID_STATE',
        `Partner ${partnerId} already has ${environment} credentials; rotate them (cabinet) instead of issuing new ones`,
      );
    // Reference codes belong to a mode: the first credentials of a mode bring that mode's default code.
    await ensureDefaultRefcode(trx, scope);
    const pair = await addApiPair(trx, box, scope);
    return { partnerId, environment, ...pair, webhookSecret: await addWebhookSecret(trx, box, scope) };
  });
}

/** Onboarding: a partner record and its sandbox credentials, which bring the sandbox default code (0 bps). */
export async function onboardPartner(db: Db, box: SecretBox, input: { name: string }) {
  const partnerId = newObjectId();
  await insertPartner(db, { id: partnerId, name: input.name, allowed_domains: [], kyc_trusted: false });
  return { ...(await issueCredentials(db, box, partnerId, 'sandbox')), refcode: 'default' };
}

const unixOrNull = (date: Date | null) => date && Math.floor(date.getTime() / 1000);

/**
 * Cabinet: a new apiKey/apiSecret, shown once; the previous pair keeps working for the overlap window. The
 * caller has proven the current apiSecret (a v2 signature over this very request); `audit` records it in
 * the same transaction, with ids only. Rotations of one partner and mode run one at a time: when several
 * arrive together with the same pair, the first rotates it and the others find it rotated out (409), so
 * exactly one new pair is current and nobody holds a pair that was retired before it was shown.
 */
export async function rotateApiCredentials(
  db: Db,
  box: SecretBox,
  scope: Scope,
  overlapSeconds: number,
  audit?: Audit,
  callerId?: string,
) {
  return inTransaction(db, async (trx) => {
    await lockScopeSettings(trx, scope);
    if (callerId && !(await isCurrentCredential(trx, callerId)))
      throw traceError(
        'INVALID_STATE',
        'A concurrent rotation already replaced this apiKey (it keeps working until its overlap ends): use the apiKey/apiSecret that rotation returned',
      );
    const previousExpiresAt = unixOrNull(
      await retireCredentials(trx, scope.partnerId, scope.mode, overlapSeconds),
    );
    const pair = await addApiPair(trx, box, scope, async (id) =>
      audit?.(trx, {
        action: 'exchange.credentials.rotate',
        target: `exchange_credential:${id}`,
        after: { id, previousExpiresAt },
      }),
    );
    return { ...pair, previousExpiresAt };
  });
}

/** Cabinet: a new webhook secret; the previous one also signs (X-Partner-Webhook-Sign-Previous) meanwhile. */
export async function rotateWebhookSecret(
  db: Db,
  box: SecretBox,
  scope: Scope,
  overlapSeconds: number,
  audit?: Audit,
) {
  return inTransaction(db, async (trx) => {
    // One at a time per partner and mode: each retires the one before, so one secret stays current.
    await lockScopeSettings(trx, scope);
    const previousExpiresAt = unixOrNull(await retireSigningSecrets(trx, scope, overlapSeconds, 'exchange'));
    const webhookSecret = await addWebhookSecret(trx, box, scope, async (id) =>
      audit?.(trx, {
        action: 'exchange.webhook_secret.rotate',
        target: `webhook_secret:${id}`,
        after: { id, previousExpiresAt },
      }),
    );
    return { webhookSecret, previousExpiresAt };
  });
}

/** Operator: where a partner's webhooks go (the quickstart: "operator-mediated"). */
export async function setWebhookUrl(
  db: Db,
  partnerId: string,
  environment: Environment,
  url: string,
  egress: EgressPolicy,
) {
  const scope: Scope = { partnerId, mode: MODE_OF[environment] };
  if (!(await findPartner(db, partnerId))) throw traceError('NOT_FOUND', `No partner ${partnerId}`);
  let checked: string;
  try {
    checked = await checkEndpointUrl(scope.mode, url, egress);
  } catch (error) {
    if (error instanceof AppError) throw traceError('INVALID_REQUEST', error.message);
    throw error;
  }
  return inTransaction(db, async (trx) => {
    const row = await upsertEndpoint(trx, scope, checked, 'exchange');
    await notifyTargetChanged(trx, scope, 'exchange');
    return { partnerId, environment, url: row.url };
  });
}
