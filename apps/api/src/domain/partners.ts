import { BadRequestError, NotFoundError, ValidationError } from '@0bit/core/errors';
import { isObjectId, newObjectId } from '@0bit/core/ids';
import { MODES, type Mode, type Scope } from '@0bit/core/scope';
import { toIso } from '@0bit/core/time';
import type { AuditActor } from '@0bit/db/audit';
import { type Db, inTransaction } from '@0bit/db/connection';
import {
  findAllowedDomains,
  findPartner,
  insertPartner,
  listPartners as listPartnerRows,
  type PartnerRow,
  replaceAllowedDomainsRow,
  updatePartner,
} from '@0bit/db/partners';
import { invitationUrl, inviteUser } from '@0bit/db/people';
import { type ApiKeyRow, insertApiKeys, listPartnerKeys } from '../store/api-keys.ts';
import { displayPrefix, generateApiKey, hashSecret } from './keys.ts';
import { canonicalAmount, isCurrency } from './money.ts';
import type { ApiKeySummary } from './shapes.ts';

export interface Partner {
  id: string;
  name: string;
  /** Live's list (each mode has its own; `getPartner` shows both). */
  allowed_domains: string[];
  kyc_trusted: boolean;
  created_at: string;
}

export interface KeyPair {
  publishable_key: string;
  secret_key: string;
}

export const toPartner = (row: PartnerRow): Partner => ({
  id: row.id,
  name: row.name,
  allowed_domains: row.allowed_domains,
  kyc_trusted: row.kyc_trusted,
  created_at: toIso(row.created_at),
});

export const toKeySummary = (row: ApiKeyRow): ApiKeySummary => ({
  id: row.id,
  type: row.kind,
  mode: row.mode,
  display_prefix: row.display_prefix,
  created_at: toIso(row.created_at),
  last_used_at: toIso(row.last_used_at),
  revoked_at: toIso(row.revoked_at),
});

/**
 * An allowed domain is an exact origin: scheme, host, optional port — what a browser sends in `Origin`.
 * We accept only the canonical form (what `new URL(x).origin` prints), so a match is a plain string compare.
 */
export function checkOrigin(value: string): string | null {
  if (value.includes('*')) return `"${value}" contains a wildcard; register each exact origin instead`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an origin such as "https://shop.example" or "http://localhost:3000"`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${value}" must use http or https`;
  if (url.origin !== value)
    return `"${value}" is not an exact origin (no path, query, trailing slash or upper case); did you mean "${url.origin}"?`;
  return null;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A developer's own machine: plain http is fine there (URL.hostname form, so IPv6 keeps its brackets). */
export const isLocalHost = (hostname: string): boolean => LOCAL_HOSTS.has(hostname);

/** Live embeds run on https pages; plain http is only for a developer's own machine. */
export function servesMode(origin: string, mode: Mode): boolean {
  if (mode === 'test') return true;
  const url = new URL(origin);
  return url.protocol === 'https:' || isLocalHost(url.hostname);
}

export function checkAllowedDomains(domains: string[], mode?: Mode): void {
  const problems = domains.map(checkOrigin).filter((p): p is string => p !== null);
  if (problems.length === 0 && mode === 'live')
    for (const d of domains)
      if (!servesMode(d, 'live'))
        problems.push(`"${d}" must use https for live mode (http only on localhost)`);
  if (problems.length > 0) throw new ValidationError(problems.map((p) => `allowed_domains: ${p}`));
}

/**
 * Replaces the allowed domains of the scope's mode only ("Modes own their settings": a test key never
 * changes what live accepts). A live key may set only https origins (and localhost).
 */
export async function replaceAllowedDomains(db: Db, scope: Scope, domains: string[]): Promise<string[]> {
  const unique = [...new Set(domains)];
  checkAllowedDomains(unique, scope.mode);
  return replaceAllowedDomainsRow(db, scope, unique);
}

/** The owner's one-time Partner Hub invitation, when the operator named an owner email. */
export interface OwnerInvitation {
  email: string;
  url: string;
  expires_at: string;
}

/**
 * Onboards a partner with its four keys; with `owner_email`, also its Partner Hub owner (docs/hub.md), whose
 * one-time invitation link is in this answer only.
 */
export async function createPartner(
  db: Db,
  input: { name: string; allowed_domains?: string[]; kyc_trusted?: boolean; owner_email?: string },
  hub: { hubUrl: string; ip?: string | null; actor?: AuditActor } = { hubUrl: 'http://localhost:3100' },
): Promise<{ partner: Partner; keys: Record<Mode, KeyPair>; owner_invitation?: OwnerInvitation }> {
  const name = input.name.trim();
  if (name.length === 0) throw new ValidationError(['name must not be empty']);
  const allowed = [...new Set(input.allowed_domains ?? [])];
  checkAllowedDomains(allowed);
  return inTransaction(db, async (trx) => {
    const row = await insertPartner(trx, {
      id: newObjectId(),
      name,
      allowed_domains: allowed,
      kyc_trusted: input.kyc_trusted ?? false,
    });
    const keys = {} as Record<Mode, KeyPair>;
    const rows: Parameters<typeof insertApiKeys>[1] = [];
    for (const mode of MODES) {
      const pair = {
        publishable_key: generateApiKey('publishable', mode),
        secret_key: generateApiKey('secret', mode),
      };
      keys[mode] = pair;
      for (const [kind, raw] of [
        ['publishable', pair.publishable_key],
        ['secret', pair.secret_key],
      ] as const)
        rows.push({
          id: newObjectId(),
          partner_id: row.id,
          kind,
          mode,
          key_hash: hashSecret(raw),
          display_prefix: displayPrefix(raw),
        });
    }
    await insertApiKeys(trx, rows);
    if (input.owner_email === undefined) return { partner: toPartner(row), keys };
    const invitation = await inviteUser(trx, {
      partnerId: row.id,
      email: input.owner_email,
      role: 'owner',
      actor: hub.actor ?? { kind: 'admin', id: null },
      ip: hub.ip ?? null,
    });
    return {
      partner: toPartner(row),
      keys,
      owner_invitation: {
        email: invitation.email,
        url: invitationUrl(hub.hubUrl, invitation.token),
        expires_at: toIso(invitation.expiresAt),
      },
    };
  });
}

async function requirePartner(db: Db, id: string): Promise<PartnerRow> {
  const row = isObjectId(id) ? await findPartner(db, id) : undefined;
  if (!row) throw new NotFoundError(`No partner ${id}`);
  return row;
}

export async function getPartner(
  db: Db,
  id: string,
): Promise<Partner & { allowed_domains_by_mode: Record<Mode, string[]>; keys: ApiKeySummary[] }> {
  const row = await requirePartner(db, id);
  const keys = await listPartnerKeys(db, id);
  const byMode = await findAllowedDomains(db, id);
  return { ...toPartner(row), allowed_domains_by_mode: byMode, keys: keys.map(toKeySummary) };
}

export async function listPartners(
  db: Db,
  options: { limit: number; startingAfter?: string | undefined },
): Promise<{ data: Partner[]; has_more: boolean }> {
  let after: PartnerRow | undefined;
  if (options.startingAfter) {
    after = isObjectId(options.startingAfter) ? await findPartner(db, options.startingAfter) : undefined;
    if (!after) throw new BadRequestError(`starting_after "${options.startingAfter}" is not a partner id`);
  }
  const rows = await listPartnerRows(db, options.limit + 1, after);
  return { data: rows.slice(0, options.limit).map(toPartner), has_more: rows.length > options.limit };
}

export async function setKycTrusted(db: Db, id: string, kycTrusted: boolean): Promise<Partner> {
  await requirePartner(db, id);
  const row = await updatePartner(db, id, { kyc_trusted: kycTrusted });
  return toPartner(row!);
}

/**
 * Admin: a partner's per-customer (user_reference) daily limits, by currency (null removes them all). Each
 * limit is a positive amount in its currency's minor units; sessions over it are refused at create (422
 * `customer_daily_limit_exceeded`, docs/sessions.md).
 */
export async function setCustomerDailyLimits(
  db: Db,
  id: string,
  limits: Record<string, string> | null,
): Promise<{ id: string; customer_daily_limits: Record<string, string> | null }> {
  await requirePartner(db, id);
  let canonical: Record<string, string> | null = null;
  if (limits) {
    const problems: string[] = [];
    canonical = {};
    for (const [currency, amount] of Object.entries(limits)) {
      if (!isCurrency(currency)) problems.push(`${currency} is not an ISO 4217 currency code`);
      else {
        const checked = canonicalAmount(amount, currency);
        if (checked.problem) problems.push(`${currency}: ${checked.problem}`);
        else canonical[currency] = checked.value!;
      }
    }
    if (problems.length) throw new ValidationError(problems);
  }
  const row = await updatePartner(db, id, { customer_daily_limits: canonical });
  return { id, customer_daily_limits: row!.customer_daily_limits };
}
