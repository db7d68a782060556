import type { SettleDeps } from './domain/orders.ts';
import { recoverInFlight, type SettleLog, settleOrder } from './domain/payouts.ts';
import { NONCE_WINDOW_SECONDS } from './http/signed.ts';
import { deleteOldNonces } from './store/credentials.ts';
import { dueOrderIds, findOrderById } from './store/orders.ts';
import { deleteExpiredQuotes } from './store/quotes.ts';

const CLEANUP_INTERVAL_MS = 60_000;
/**
 * How long a claimed payout may stay `sending` before recovery assumes its claimer died. Generous: a slow
 * chain answer is not a crash, and a recovery racing a live sender is harmless anyway (same reference).
 */
export const RECOVER_AFTER_MS = 60_000;

export interface SettlementOptions {
  recoverAfterMs?: number;
}

/**
 * The only place 0trace moves money: expiry at the deposit deadline, the payout that makes an order DONE,
 * the refund that makes it REFUNDED — each claimed by a compare-and-set before the chain is called
 * (domain/payouts.ts), so several instances and their ticks never pay twice — and the recovery of payouts a
 * crash left in flight. Also forgets nonces past the replay window and long-dead fixed quotes.
 */
export function startSettlement(
  deps: SettleDeps,
  intervalMs: number,
  log: SettleLog,
  options: SettlementOptions = {},
): { stop: () => Promise<void> } {
  const recoverAfterMs = options.recoverAfterMs ?? RECOVER_AFTER_MS;
  let running: Promise<void> | null = null;
  let cleanedAt = 0;
  const tick = async () => {
    for (const id of await dueOrderIds(deps.db, 100)) {
      const order = await findOrderById(deps.db, id);
      // One order's failing chain call must not hold up the others.
      if (order)
        await settleOrder(deps, order).catch((err) =>
          log.warn({ err, orderId: id }, 'exchange settlement of an order failed; recovery will retry'),
        );
    }
    await recoverInFlight(deps, recoverAfterMs, log);
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
