import { advance, type SettleDeps } from './domain/orders.ts';
import { NONCE_WINDOW_SECONDS } from './http/signed.ts';
import { deleteOldNonces } from './store/credentials.ts';
import { dueOrderIds, findOrderById } from './store/orders.ts';
import { deleteExpiredQuotes } from './store/quotes.ts';

const CLEANUP_INTERVAL_MS = 60_000;

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Moves orders nobody is reading: expiry at the deposit deadline, DONE after a simulated payout, REFUNDED
 * after a refund. Every move is a compare-and-set (store/orders.ts), so several instances, a reader and this
 * loop never apply a step twice. Also forgets nonces past the replay window and long-dead fixed quotes.
 */
export function startSettlement(
  deps: SettleDeps,
  intervalMs: number,
  log: Log,
): { stop: () => Promise<void> } {
  let running: Promise<void> | null = null;
  let cleanedAt = 0;
  const tick = async () => {
    for (const id of await dueOrderIds(deps.db, 100)) {
      const order = await findOrderById(deps.db, id);
      if (order) await advance(deps, order);
    }
    // Forgetting old nonces and quotes has a 24 h horizon: once a minute is plenty, not every tick.
    if (Date.now() - cleanedAt >= CLEANUP_INTERVAL_MS) {
      await deleteOldNonces(deps.db, NONCE_WINDOW_SECONDS);
      await deleteExpiredQuotes(deps.db);
      cleanedAt = Date.now();
    }
  };
  const timer = setInterval(() => {
    if (running) return; // a slow tick is not stacked
    running = tick()
      .catch((err) => log.warn({ err }, 'exchange settlement tick failed; will retry'))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
