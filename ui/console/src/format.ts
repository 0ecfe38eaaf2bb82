/** Dates and durations as the console shows them: the operator's locale, to the second where it matters. */
export const dateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
export const shortDateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
export const date = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
export const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { timeStyle: 'medium' });

export function duration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export const PLANS = ['free', 'starter', 'growth', 'enterprise'] as const;

export const REASON_LABELS: Record<string, string> = {
  customer_support: 'Customer support',
  bug_investigation: 'Bug investigation',
  data_correction: 'Data correction',
  security_review: 'Security review',
  onboarding_assistance: 'Onboarding assistance',
};

export const COMMAND_LABELS: Record<string, string> = {
  'tenant.create': 'Store created',
  'tenant.plan': 'Plan changed',
  'tenant.suspend': 'Suspended',
  'tenant.resume': 'Resumed',
  'tenant.owner.invite': 'Owner re-invited',
};

/** A flag or figure for reading: thousands separated. */
export const figure = (value: unknown) => (typeof value === 'number' ? value.toLocaleString() : String(value));
