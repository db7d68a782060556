import { findCurrency } from '@0bit/markets';
import type { OrderRow } from '../store/orders.ts';
import type { Order } from './shapes.ts';

const unix = (date: Date | null): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

/** What an emergency order lets the partner choose (POST /api/v1/emergency). */
export function emergencyActions(order: OrderRow): Array<'EXCHANGE' | 'REFUND'> {
  if (order.status !== 'EMERGENCY' || order.emergency_choice) return [];
  return order.emergency_reason === 'LIMITS' ? ['REFUND'] : ['EXCHANGE', 'REFUND'];
}

/** The partner DTO (docs/exchange/statuses.md): the same shape in /order, /create, webhooks and the cabinet. */
export function orderDto(order: OrderRow): Order {
  const from = findCurrency(order.from_ccy)!;
  const to = findCurrency(order.to_ccy)!;
  return {
    id: order.id,
    type: order.type,
    direction: order.direction,
    status: order.status,
    refcode: order.refcode,
    createdAt: unix(order.created_at)!,
    updatedAt: unix(order.updated_at)!,
    /** The deposit deadline: no deposit by then and the order is EXPIRED. */
    expiresAt: unix(order.deposit_deadline)!,
    from: {
      code: from.code,
      network: from.network,
      amount: order.from_amount,
      address: order.deposit_address,
      reqConfirmations: from.confirmations,
      tx: order.deposit_tx
        ? { id: order.deposit_tx, amount: order.deposit_amount, confirmations: order.deposit_confirmations }
        : null,
    },
    to: {
      code: to.code,
      network: to.network,
      amount: order.to_amount,
      address: order.to_address,
      tx: order.payout_tx ? { id: order.payout_tx, amount: order.payout_amount } : null,
    },
    rate: {
      value: order.rate,
      markupBps: order.markup_bps,
      serviceFeeBps: order.service_fee_bps,
      expiresAt: unix(order.rate_expires_at),
    },
    refund: {
      address: order.refund_address,
      tx: order.refund_tx ? { id: order.refund_tx, amount: order.refund_amount } : null,
    },
    emergency:
      order.emergency_reason === null
        ? null
        : {
            reason: order.emergency_reason,
            choice: order.emergency_choice,
            actions: emergencyActions(order),
          },
  };
}
