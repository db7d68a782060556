import type { Db } from '@0bit/db/connection';
import type { ExchangePayoutsTable } from '@0bit/db/schema';
import { findCurrency, fromUnits, toUnits } from '@0bit/markets';
import type { Insertable } from 'kysely';
import { insertOrderEvent, type OrderRow, takeDueSettlement, transitionOrder } from '../store/orders.ts';
import { insertPayout, markSent, type PayoutRow, reclaimStale } from '../store/payouts.ts';
import { orderDto } from './order-dto.ts';
import { advance, type SettleDeps, STATUS_CHANGED } from './orders.ts';
import { providersFor } from './pricing.ts';
import type { TransferReference } from './providers.ts';

/**
 * Money moves once (DESIGN.md): a payout or refund is claimed in the database — the order's due
 * `settle_at` taken and an `exchange_payouts` row written `sending`, in one transaction — before the chain
 * is called with the row's reference as its idempotency key, and recorded (`sent`, the order DONE or
 * REFUNDED) by a compare-and-set afterwards. Only the settlement loop runs this; reads never send.
 */

export interface SettleLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Moves one due order: its expiry, or the claim, transfer and record of its payout or refund. */
export async function settleOrder(deps: SettleDeps, order: OrderRow): Promise<void> {
  if (order.status === 'NEW') {
    await advance(deps, order);
    return;
  }
  const claimed = await deps.db.transaction().execute(async (trx) => {
    const taken = await takeDueSettlement(trx, order.id);
    return taken ? insertPayout(trx, transferFor(taken)) : undefined;
  });
  // Another instance (or tick) claimed it, or nothing was due.
  if (!claimed) return;
  // A failure here leaves the claim `sending`: the recovery pass resolves it after the grace period.
  const transfer = await providersFor(deps.providers, claimed).chain.send(requestFor(claimed));
  await recordTransfer(deps.db, claimed, transfer.txId);
}

/**
 * Resolves payouts left `sending` longer than `graceMs` — their claimer crashed, or lost the chain's
 * answer — by asking the chain for the transfer under the same reference; if the chain never got it, the
 * same reference is sent now (the chain's idempotency makes a late first attempt harmless).
 */
export async function recoverInFlight(deps: SettleDeps, graceMs: number, log: SettleLog): Promise<number> {
  let resolved = 0;
  for (const payout of await reclaimStale(deps.db, graceMs, 100)) {
    try {
      const chain = providersFor(deps.providers, payout).chain;
      const found = await chain.transfer(payout.reference as TransferReference);
      const txId = found ? found.txId : (await chain.send(requestFor(payout))).txId;
      await recordTransfer(deps.db, payout, txId);
      resolved++;
      log.info(
        { reference: payout.reference, orderId: payout.order_id, attempts: payout.attempts, found: !!found },
        'exchange: recovered an in-flight transfer',
      );
    } catch (err) {
      log.warn({ err, reference: payout.reference }, 'exchange: in-flight transfer not resolved; will retry');
    }
  }
  return resolved;
}

function transferFor(order: OrderRow): Insertable<ExchangePayoutsTable> {
  const common = { order_id: order.id, mode: order.mode, state: 'sending' as const };
  if (order.status === 'EXCHANGE')
    return {
      ...common,
      reference: `payout:${order.id}`,
      kind: 'payout',
      currency: order.to_ccy,
      to_address: order.to_address,
      amount: order.to_amount,
    };
  // A refund returns what arrived, less the chain's network fee.
  const from = findCurrency(order.from_ccy)!;
  const deposit = toUnits(order.deposit_amount ?? '0', from.decimals) ?? 0n;
  const fee = toUnits(from.networkFee, from.decimals)!;
  return {
    ...common,
    reference: `refund:${order.id}`,
    kind: 'refund',
    currency: order.from_ccy,
    to_address: order.refund_address,
    amount: fromUnits(deposit > fee ? deposit - fee : 0n, from.decimals),
  };
}

const requestFor = (payout: PayoutRow) => ({
  currency: findCurrency(payout.currency)!,
  to: payout.to_address,
  amount: payout.amount,
  reference: payout.reference as TransferReference,
});

/** Records the chain's answer once: `sending` → `sent`, and the order DONE or REFUNDED with its event. */
async function recordTransfer(db: Db, payout: PayoutRow, tx: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await markSent(trx, payout.reference, tx))) return; // another actor recorded it first
    const moved =
      payout.kind === 'payout'
        ? await transitionOrder(trx, payout.order_id, ['EXCHANGE'], {
            status: 'DONE',
            payout_tx: tx,
            payout_amount: payout.amount,
          })
        : await transitionOrder(trx, payout.order_id, ['EMERGENCY'], {
            status: 'REFUNDED',
            refund_tx: tx,
            refund_amount: payout.amount,
          });
    if (moved) await insertOrderEvent(trx, moved, STATUS_CHANGED, orderDto(moved));
  });
}
