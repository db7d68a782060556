/**
 * The retry ladder: after the first failed attempt wait 1 min, then 5 min, 30 min, 2 h; the delivery is
 * marked failed (dead-lettered) after 5 attempts (spec). Configurable in seconds so tests run in seconds.
 */
export interface RetrySchedule {
  /** Delays before attempts 2, 3, …, in milliseconds. */
  delaysMs: number[];
  maxAttempts: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: [60_000, 300_000, 1_800_000, 7_200_000],
  maxAttempts: 5,
};

/** "60,300,1800,7200" (seconds, decimals allowed) → a schedule allowing delays.length + 1 attempts. */
export function parseRetrySchedule(text: string): RetrySchedule {
  const delays = text.split(',').map((part) => Number(part.trim()));
  if (delays.length === 0 || delays.some((d) => !Number.isFinite(d) || d < 0))
    throw new Error('must be comma-separated seconds such as "60,300,1800,7200"');
  return { delaysMs: delays.map((d) => Math.round(d * 1000)), maxAttempts: delays.length + 1 };
}

/** Delay before the next attempt after `attemptsMade` attempts, or null when the delivery has failed for good. */
export function nextDelayMs(
  schedule: RetrySchedule,
  attemptsMade: number,
  attemptLimit: number | null,
): number | null {
  if (attemptsMade >= (attemptLimit ?? schedule.maxAttempts)) return null;
  return schedule.delaysMs[Math.min(attemptsMade - 1, schedule.delaysMs.length - 1)] ?? 0;
}
