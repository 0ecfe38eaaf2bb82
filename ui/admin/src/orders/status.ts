/** How an order's status reads and looks to a merchant. */
export const ORDER_STATUS_LABELS = {
  pending: 'Awaiting payment',
  authorised: 'Payment authorised',
  paid: 'Paid, to fulfil',
  partially_fulfilled: 'Partly fulfilled',
  fulfilled: 'Fulfilled',
  closed: 'Closed',
  cancelled: 'Cancelled',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
} as const;

export type OrderStatus = keyof typeof ORDER_STATUS_LABELS;

export function orderSeverity(status: OrderStatus): 'success' | 'secondary' | 'info' | 'warn' | 'danger' {
  if (status === 'paid' || status === 'authorised' || status === 'partially_fulfilled') return 'warn';
  if (status === 'fulfilled' || status === 'closed') return 'success';
  if (status === 'cancelled' || status === 'refunded') return 'danger';
  return status === 'partially_refunded' ? 'info' : 'secondary';
}
