import { PermissionError } from '@0bit/core/errors';
import type { Scope } from '@0bit/core/scope';
import { type Db, inTransaction } from '@0bit/db/connection';
import {
  countSession,
  currentUsage,
  findQuota,
  markThreshold,
  recountUsage,
  sessionsCreatedThisMonth,
  setQuota,
  type UsageRow,
} from '../store/quotas.ts';
import { appendEvent } from './events.ts';
import type { QuotaState } from './shapes.ts';

/** The share of the quota at which `partner.quota.warning` is emitted. */
export const WARNING_SHARE = 0.8;

export function quotaState(quota: number | null, usage: UsageRow): QuotaState {
  const used = usage.sessions_created;
  const state =
    quota === null
      ? 'unlimited'
      : used >= quota
        ? 'exhausted'
        : used >= Math.ceil(quota * WARNING_SHARE)
          ? 'warning'
          : 'ok';
  return {
    monthly_sessions: quota,
    period: usage.period,
    sessions_created: used,
    remaining: quota === null ? null : Math.max(0, quota - used),
    state,
  };
}

/** Emits each threshold's event once per period: the flag is set in the transaction that emits it. */
async function emitThresholds(db: Db, scope: Scope, quota: number, usage: UsageRow): Promise<void> {
  const data = (type: string) => ({
    partner_id: scope.partnerId,
    mode: scope.mode,
    period: usage.period,
    monthly_sessions: quota,
    sessions_created: usage.sessions_created,
    threshold: type,
  });
  if (!usage.warned && usage.sessions_created >= Math.ceil(quota * WARNING_SHARE)) {
    await markThreshold(db, scope, usage.period, 'warned_at');
    await appendEvent(db, scope, 'partner.quota.warning', data('warning'), null);
  }
  if (!usage.exhausted && usage.sessions_created >= quota) {
    await markThreshold(db, scope, usage.period, 'exhausted_at');
    await appendEvent(db, scope, 'partner.quota.exhausted', data('exhausted'), null);
  }
}

/**
 * Counts a session against the month's quota inside the create transaction. Over the quota the create is
 * refused (and the transaction, count included, rolls back); reaching 80 % or 100 % emits its event.
 */
export async function chargeSession(db: Db, scope: Scope, quota: number | null): Promise<void> {
  if (quota === null) return;
  const usage = await countSession(db, scope);
  if (usage.sessions_created > quota)
    throw new PermissionError(
      `Your monthly quota of ${quota} ${scope.mode} sessions is exhausted for ${usage.period}; it resets on the 1st (UTC). Contact 0Bit to raise it.`,
      'quota_exhausted',
    );
  await emitThresholds(db, scope, quota, usage);
}

/**
 * Admin: sets or removes a mode's quota; thresholds already passed under the new quota are emitted now.
 * One transaction (the caller's, if any), so the recount and the threshold events see the locked row.
 */
export async function changeQuota(db: Db, scope: Scope, monthlySessions: number | null): Promise<QuotaState> {
  return inTransaction(db, async (trx) => {
    await setQuota(trx, scope, monthlySessions);
    await currentUsage(trx, scope, true); // creates and locks this month's row
    await recountUsage(trx, scope);
    const usage = await currentUsage(trx, scope);
    if (monthlySessions !== null) await emitThresholds(trx, scope, monthlySessions, usage);
    return quotaState(monthlySessions, usage);
  });
}

export async function readQuota(db: Db, scope: Scope): Promise<QuotaState> {
  const quota = await findQuota(db, scope);
  const usage = await currentUsage(db, scope);
  // Without a quota creates are not counted in partner_usage: count the month's sessions themselves, so
  // sessions_created agrees with the daily totals of /portal/usage for every partner (issue #15).
  if (quota === null)
    return quotaState(null, { ...usage, sessions_created: await sessionsCreatedThisMonth(db, scope) });
  return quotaState(quota, usage);
}
