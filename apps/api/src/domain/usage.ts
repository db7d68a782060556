import { BadRequestError } from '@0bit/core/errors';
import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import { sessionActivity } from '../store/usage.ts';
import { readQuota } from './quotas.ts';
import type { Usage } from './shapes.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;
// PostgreSQL has no year 0 and Date.parse rolls 2026-02-30 over to March: check the date round-trips.
const MIN_DAY = '1970-01-01';
const isCalendarDay = (value: string) => {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && value >= MIN_DAY && new Date(time).toISOString().slice(0, 10) === value;
};

function parseRange(from: string | undefined, to: string | undefined): { from: string; to: string } {
  const today = new Date().toISOString().slice(0, 10);
  const end = to ?? today;
  const start = from ?? new Date(Date.parse(`${end}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  for (const [name, value] of [
    ['from', start],
    ['to', end],
  ] as const)
    if (!DAY.test(value) || !isCalendarDay(value))
      throw new BadRequestError(
        `${name} must be a date: a real calendar day from ${MIN_DAY} on, such as 2026-11-01`,
      );
  const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000 + 1;
  if (days < 1) throw new BadRequestError('from must not be after to');
  if (days > MAX_DAYS) throw new BadRequestError(`a range covers at most ${MAX_DAYS} days`);
  return { from: start, to: end };
}

export async function usage(
  db: Db,
  scope: Scope,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<Usage> {
  const { from, to } = parseRange(range.from, range.to);
  const { created, closed, volume } = await sessionActivity(db, scope, { from, to });

  const days = new Map<string, Usage['days'][number]>();
  const entry = (date: string) => {
    const known = days.get(date);
    if (known) return known;
    const fresh = { date, created: 0, completed: 0, cancelled: 0, expired: 0 };
    days.set(date, fresh);
    return fresh;
  };
  for (const row of created) entry(row.date).created = Number(row.n);
  for (const row of closed)
    entry(row.date)[row.status as 'completed' | 'cancelled' | 'expired'] = Number(row.n);
  return {
    object: 'usage',
    mode: scope.mode,
    from,
    to,
    days: [...days.values()].sort((a, b) => a.date.localeCompare(b.date)),
    volume: volume.map((v) => ({ currency: v.currency, amount: v.amount, sessions: Number(v.n) })),
    quota: await readQuota(db, scope),
  };
}
