import type { SettingsReader } from '@0bit/core/settings';
import { type Db, isDatabaseHealthy } from '@0bit/db/connection';
import { pendingMigrations } from '@0bit/db/migrate';
import type { FastifyInstance, FastifyReply } from 'fastify';

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

/** The checks of `/health/ready` besides the database, which is always required. */
export const READY_CHECKS = ['migrations', 'redis', 'leader'] as const;
export type ReadyCheck = (typeof READY_CHECKS)[number];

/** HEALTH_READY_REQUIRES: which checks of `/health/ready` make it answer 503 (README). */
export interface HealthSettings {
  readyRequires: ReadonlySet<ReadyCheck>;
}

export function readHealthSettings(settings: SettingsReader): HealthSettings {
  const requires = settings.parsed('HEALTH_READY_REQUIRES', new Set<ReadyCheck>(['migrations']), (text) => {
    const words = text
      .split(',')
      .map((w) => w.trim())
      .filter((w) => w !== '' && w !== 'database');
    const unknown = words.filter((w) => !(READY_CHECKS as readonly string[]).includes(w));
    if (unknown.length > 0)
      throw new Error(
        `must be a comma-separated list of database, ${READY_CHECKS.join(', ')} (unknown: ${unknown.join(', ')})`,
      );
    return new Set(words as ReadyCheck[]);
  });
  return { readyRequires: requires };
}

/** What `/health/ready` asks besides the database; the composition root provides it. */
export interface ReadinessProbes {
  settings: HealthSettings;
  /** Whether a webhook worker holds the leader lock (some process on PostgreSQL; this one on PGlite). */
  leader?: () => Promise<boolean>;
}

type CheckState = 'ok' | 'down' | 'behind';

export interface ReadyReport {
  /** `ok`; `degraded` when a check that is not required failed; `unavailable` (503) otherwise. */
  status: 'ok' | 'degraded' | 'unavailable';
  /** True once the process is shutting down: it finishes what it has and takes nothing new (503). */
  draining: boolean;
  checks: {
    database: DependencyState;
    /** `behind`: this code has migrations the database lacks (`pending` names them). */
    migrations: CheckState | 'unknown';
    redis?: DependencyState;
    /** Whether some webhook worker holds the leader lock (deliveries are being sent). */
    leader?: DependencyState | 'unknown';
  };
  /** Which failed checks make this answer 503 (HEALTH_READY_REQUIRES; the database always). */
  required: string[];
  pending?: string[];
}

const withTimeout = <T>(work: Promise<T>, ms: number, fallback: T): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.catch(() => fallback),
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** Every check of `/health/ready`, at once, each bounded by 2 s. */
export async function checkReadiness(
  db: Db,
  redis: { check?(): Promise<DependencyState> } | null | undefined,
  probes: ReadinessProbes | undefined,
  draining: boolean,
): Promise<ReadyReport> {
  const requires = probes?.settings.readyRequires ?? new Set<ReadyCheck>(['migrations']);
  const [database, pending, redisState, leader] = await Promise.all([
    isDatabaseHealthy(db).then((ok): DependencyState => (ok ? 'ok' : 'down')),
    withTimeout(pendingMigrations(db), 2000, null),
    redis?.check ? withTimeout(redis.check(), 2000, 'down' as const) : undefined,
    probes?.leader ? withTimeout(probes.leader(), 2000, null) : undefined,
  ]);
  const checks: ReadyReport['checks'] = {
    database,
    migrations: pending === null ? 'unknown' : pending.length > 0 ? 'behind' : 'ok',
    ...(redisState ? { redis: redisState } : {}),
    ...(leader !== undefined ? { leader: leader === null ? 'unknown' : leader ? 'ok' : 'down' } : {}),
  };
  const failed = (name: ReadyCheck) => {
    const state = checks[name];
    return state !== undefined && state !== 'ok';
  };
  const required = ['database', ...READY_CHECKS.filter((c) => requires.has(c))];
  const fatal = database === 'down' || draining || READY_CHECKS.some((c) => requires.has(c) && failed(c));
  const status = fatal ? 'unavailable' : READY_CHECKS.some(failed) ? 'degraded' : 'ok';
  return {
    status,
    draining,
    checks,
    required,
    ...(pending && pending.length > 0 ? { pending } : {}),
  };
}

/**
 * `GET /health/live` and `GET /health/ready` on an app (both APIs). live: the process is up and its event
 * loop answers; it calls no dependency. ready: whether to send this process traffic, with each check's state;
 * 503 while a required check fails or the process is shutting down. `answer` wraps the report in the app's
 * own envelope.
 */
export function registerLiveAndReady(
  app: FastifyInstance,
  deps: {
    db: Db;
    redis: { check?(): Promise<DependencyState> } | null | undefined;
    probes: ReadinessProbes | undefined;
    answer: (reply: FastifyReply, report: ReadyReport | { status: 'ok' }) => unknown;
  },
): void {
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.get('/health/live', { schema: { hide: true } }, async (_request, reply) =>
    deps.answer(reply, { status: 'ok' }),
  );
  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const report = await checkReadiness(deps.db, deps.redis, deps.probes, draining);
    if (report.status === 'unavailable') reply.code(503).header('Retry-After', '5');
    return deps.answer(reply, report);
  });
}
