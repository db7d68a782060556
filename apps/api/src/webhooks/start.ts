import type { Config } from '../config.ts';
import type { OpenedDatabase } from '../store/db.ts';
import type { SecretBox } from '../store/secret-box.ts';
import { coordinatorFor } from './coordinator.ts';
import type { Resolver } from './egress.ts';
import { SIGNERS } from './signer.ts';
import { WebhookWorker, type WorkerOptions } from './worker.ts';

/** Starts the 0Gate webhook worker on this database; `stop()` finishes attempts in flight first. */
export function startWebhookWorker(
  database: OpenedDatabase,
  box: SecretBox,
  settings: Config['webhooks'],
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
