import type { SecretBox } from '@0bit/core/secret-box';
import type { OpenedDatabase } from '@0bit/db/connection';
import { coordinatorFor } from './coordinator.ts';
import type { Resolver } from './egress.ts';
import type { RetrySchedule } from './schedule.ts';
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

/** Starts the 0Gate webhook worker on this database; `stop()` finishes attempts in flight first. */
export function startWebhookWorker(
  database: OpenedDatabase,
  box: SecretBox,
  settings: WebhookSettings,
  log: WorkerOptions['log'],
  /** Tests resolve their own host names; deployments use the system resolver. */
  resolve?: Resolver,
): { stop: () => Promise<void> } {
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
  });
  worker.start();
  return {
    stop: async () => {
      await worker.stop();
      await coordinator.close();
    },
  };
}
