import type { SecretBox } from '@0bit/core/secret-box';
import type { SettingsReader } from '@0bit/core/settings';
import type { OpenedDatabase } from '@0bit/db/connection';
import { coordinatorFor } from './coordinator.ts';
import type { Resolver } from './egress.ts';
import type { WebhookMetrics } from './metrics.ts';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, type RetrySchedule } from './schedule.ts';
import { SIGNERS } from './signer.ts';
import { WebhookWorker, type WorkerOptions } from './worker.ts';

/** How the webhook worker runs (WEBHOOK_* variables in the README). */
export interface WebhookSettings {
  workerEnabled: boolean;
  retrySchedule: RetrySchedule;
  pollIntervalMs: number;
  batchSize: number;
  concurrency: number;
  timeoutMs: number;
  /** Test-mode webhooks may reach loopback: local development only, refused in production. */
  allowLoopback: boolean;
}

/** The WEBHOOK_* variables; loopback defaults on outside production and is refused in it. */
export function readWebhookSettings(settings: SettingsReader, production: boolean): WebhookSettings {
  const retrySchedule = settings.parsed(
    'WEBHOOK_RETRY_SCHEDULE',
    DEFAULT_RETRY_SCHEDULE,
    parseRetrySchedule,
    ' ',
  );
  // Loopback is for `npm start` + `gate listen` on a laptop; a deployment never calls into itself.
  const allowLoopback = settings.flag('WEBHOOK_ALLOW_LOOPBACK', !production);
  if (allowLoopback && production)
    settings.problem(
      'WEBHOOK_ALLOW_LOOPBACK=true is refused when NODE_ENV=production: loopback webhooks are for local development only',
    );
  return {
    workerEnabled: settings.flag('WEBHOOK_WORKER_ENABLED', true),
    retrySchedule,
    pollIntervalMs: settings.int('WEBHOOK_POLL_INTERVAL_SECONDS', 30, 1, 3600) * 1000,
    batchSize: settings.int('WEBHOOK_BATCH_SIZE', 20, 1, 1000),
    concurrency: settings.int('WEBHOOK_CONCURRENCY', 64, 1, 1000),
    timeoutMs: settings.int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    allowLoopback,
  };
}

/** Starts the 0Gate webhook worker on this database; `stop()` finishes attempts in flight first. */
export function startWebhookWorker(
  database: OpenedDatabase,
  box: SecretBox,
  settings: WebhookSettings,
  log: WorkerOptions['log'],
  /** Tests resolve their own host names; deployments use the system resolver. */
  resolve?: Resolver,
  metrics?: WebhookMetrics,
): { stop: (graceMs?: number) => Promise<void> } {
  const coordinator = coordinatorFor(database, { log });
  const worker = new WebhookWorker({
    db: database.db,
    box,
    coordinator,
    signers: SIGNERS,
    schedule: settings.retrySchedule,
    batchSize: settings.batchSize,
    concurrency: settings.concurrency,
    pollIntervalMs: settings.pollIntervalMs,
    timeoutMs: settings.timeoutMs,
    egress: { allowLoopback: settings.allowLoopback, ...(resolve ? { resolve } : {}) },
    log,
    ...(metrics ? { metrics } : {}),
  });
  worker.start();
  return {
    stop: async (graceMs?: number) => {
      await worker.stop(graceMs);
      await coordinator.close();
    },
  };
}
