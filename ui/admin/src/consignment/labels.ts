/** How payout runs and payouts read to a merchant, and the tag colour each status gets. */
export const RUN_STATUS_LABELS = {
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  processing: 'Paying out',
  completed: 'Completed',
  incomplete: 'Incomplete',
  rejected: 'Rejected',
} as const;
export type RunStatus = keyof typeof RUN_STATUS_LABELS;

export function runSeverity(status: RunStatus): 'success' | 'info' | 'warn' | 'danger' | 'secondary' {
  if (status === 'completed') return 'success';
  if (status === 'awaiting_approval') return 'warn';
  if (status === 'incomplete' || status === 'rejected') return 'danger';
  return 'info';
}

export const PAYOUT_STATUS_LABELS = {
  proposed: 'Proposed',
  sending: 'Sending',
  sent: 'Sent',
  awaiting_handover: 'To hand over',
  paid: 'Paid',
  failed: 'Failed',
  reversed: 'Reversed',
  cancelled: 'Cancelled',
} as const;

export const METHOD_LABELS: Record<string, string> = {
  stripe_connect: 'Stripe Connect',
  test: 'Test provider',
  check: 'Check',
  cash: 'Cash',
  store_credit: 'Store credit',
};

export const formatDateTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');

/** How a consignor is paid, as the consignor form offers it (the API's methods, test provider aside). */
export const PAYOUT_METHOD_OPTIONS = (['check', 'cash', 'store_credit', 'stripe_connect'] as const).map((value) => ({ value, label: METHOD_LABELS[value]! }));

export const CONSIGNOR_STATUS_LABELS = { active: 'Active', inactive: 'Inactive', archived: 'Archived' } as const;

export const BATCH_STATUS_LABELS = { draft: 'Being entered', proposed: 'Proposed by consignor', accepted: 'On the floor', rejected: 'Declined' } as const;
export type BatchStatus = keyof typeof BATCH_STATUS_LABELS;

export function batchSeverity(status: BatchStatus): 'success' | 'info' | 'warn' | 'secondary' {
  if (status === 'accepted') return 'success';
  if (status === 'proposed') return 'warn';
  return status === 'draft' ? 'info' : 'secondary';
}

export const ITEM_STATUS_LABELS = {
  pending: 'Waiting for intake',
  on_floor: 'On the floor',
  sold: 'Sold',
  returned: 'Returned',
  donated: 'Donated',
  store_stock: 'Store stock',
} as const;

export const formatDate = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '—');
