import { type Db, isDatabaseHealthy } from '@0bit/db/connection';

export type DependencyState = 'ok' | 'down';

export interface HealthReport {
  /** `ok`; `degraded` when an optional dependency (Redis) is down and its fallback serves; `unavailable`. */
  status: 'ok' | 'degraded' | 'unavailable';
  /** Each dependency this process uses: `database` always, `redis` when REDIS_URL is set. */
  checks: { database: DependencyState; redis?: DependencyState };
}

/**
 * Checks the dependencies at once. Only the database makes the process unable to serve (503); without Redis
 * rate limits and 0trace nonces fall back (docs), so the answer is 200 with `degraded`.
 */
export async function checkHealth(
  db: Db,
  redis: { check?(): Promise<DependencyState> } | null | undefined,
): Promise<HealthReport> {
  const [database, redisState] = await Promise.all([
    isDatabaseHealthy(db).then((ok): DependencyState => (ok ? 'ok' : 'down')),
    redis?.check ? redis.check() : undefined,
  ]);
  const checks: HealthReport['checks'] = { database, ...(redisState ? { redis: redisState } : {}) };
  const status = database === 'down' ? 'unavailable' : redisState === 'down' ? 'degraded' : 'ok';
  return { status, checks };
}
