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
