import { defineTelemetry, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, sumIncrease, sumRate } from '../../platform/observability/promql.ts';

/** Consignment: payout closure (target < 5 minutes from approval to the run's last payout settled). */
export const payoutCloseDuration = defineMetric({
  name: 'villagecompute_storefront_consignment_payout_close_duration_seconds',
  help: 'Time from a payout run\'s approval to its close (every payout sent, handed over or failed), by outcome.',
  type: 'histogram',
  labels: ['outcome'],
  component: 'consignment',
  kpi: 'Consignment: payout closure < 5 minutes',
  buckets: [0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
});

export const payoutsProcessed = defineMetric({
  name: 'villagecompute_storefront_consignment_payouts_total',
  help: 'Consignor payouts processed, by method and outcome (sent, awaiting_handover, failed, reversed).',
  type: 'counter',
  labels: ['method', 'outcome'],
  component: 'consignment',
  kpi: 'Consignment: payouts',
});

export const reconciliationRuns = defineMetric({
  name: 'villagecompute_storefront_consignment_reconciliation_runs_total',
  help: 'Daily payout reconciliations of a store against its provider, by outcome (matched, discrepancies, failed).',
  type: 'counter',
  labels: ['provider', 'outcome'],
  component: 'consignment',
  kpi: 'Consignment: daily reconciliation with provider transfers',
});

export const reconciliationDiscrepancies = defineMetric({
  name: 'villagecompute_storefront_consignment_reconciliation_discrepancies_total',
  help: 'Ledger payouts and provider transfers that did not match, by kind.',
  type: 'counter',
  labels: ['provider', 'kind'],
  component: 'consignment',
  kpi: 'Consignment: daily reconciliation with provider transfers',
});

/** Consignment: notification latency (target < 2 minutes from the fact to the mail leaving the outbox). */
export const notificationLatency = defineMetric({
  name: 'villagecompute_storefront_consignment_notification_latency_seconds',
  help: 'Time from a consignor notification being recorded to its mail being written to the outbox, by kind.',
  type: 'histogram',
  labels: ['kind'],
  component: 'consignment',
  kpi: 'Consignment: notification latency < 2 minutes',
  buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300],
});

const runbook = 'consignment-payouts.md#runbooks';

/** Payout closure and reconciliation alerts, and panel 22 of the component KPIs. */
export const payoutTelemetry = defineTelemetry({
  alerts: [
    {
      name: 'ConsignmentPayoutClosureSlow',
      file: 'component-kpis',
      group: 'consignment',
      expr: `${quantile(0.95, payoutCloseDuration, { window: '1h' })} > 300`,
      for: '10m',
      severity: 'warning',
      summary: 'Consignor payout runs take more than 5 minutes to close',
      description: 'p95 of payout run closure over the last hour is {{ $value | humanizeDuration }} (target < 5 minutes).',
      action: 'Look for failed or slow transfers on panel 22 and in the runs `incomplete`; resume a run once its provider answers.',
      kpi: 'consignment-payout-closure',
      panel: { dashboard: 'component-kpis', id: 22 },
      meaning: 'Approved payouts reach consignors late: the provider is slow or failing, or the worker is behind on the HIGH queue.',
      steps: [
        '`consignment_payouts_total` by `outcome` on panel 22: are transfers failing (`failed`) or only slow?',
        'Job queue depth and age of the HIGH class (background-jobs dashboard): a backlog delays `consignment.process-payout-run`.',
        'The runs left `incomplete`: `select id, status, approved_at from consignment_payout_runs where status = \'incomplete\'`; their failed payouts carry the provider\'s answer in `failure`.',
        'When the provider answers again, `POST /admin/api/v1/consignment/payout-runs/{id}/resume` retries only the failed payouts (with a new attempt number and idempotency key).',
      ],
      runbook,
      test: {
        firing: observations(payoutCloseDuration, { outcome: 'completed' }, [{ seconds: 600, perMinute: 1 }]),
        quiet: observations(payoutCloseDuration, { outcome: 'completed' }, [{ seconds: 5, perMinute: 1 }]),
      },
    },
    {
      name: 'PayoutReconciliationDiscrepancy',
      file: 'component-kpis',
      group: 'consignment',
      expr: `${sumIncrease(reconciliationDiscrepancies, { window: '1d', by: ['provider', 'kind'] })} > 0`,
      for: '0m',
      severity: 'critical',
      summary: 'Consignor payouts in the ledger do not match the provider\'s transfers',
      description: '{{ $value }} {{ $labels.kind }} discrepancies with {{ $labels.provider }} in the last day.',
      action: 'Open the day\'s reconciliation in the admin API and compare each discrepancy with the provider dashboard before any new payout run.',
      kpi: 'consignment-payout-reconciliation',
      panel: { dashboard: 'component-kpis', id: 22 },
      meaning: 'Money moved that the ledger does not show, or the ledger shows a payout the provider never made: a consignor may be paid twice or not at all.',
      steps: [
        '`GET /admin/api/v1/consignment/reconciliations` of the store: the run of the day and its discrepancies (kind, payout, transfer, both amounts).',
        '`missing_transfer`: the ledger reserved a payout the provider has no transfer for; check the payout\'s `failure` and the provider; if nothing was sent, cancel it (the reservation is reversed).',
        '`unknown_transfer`: a transfer with our metadata but no payout in the ledger, typically a transfer whose answer was lost before a retry; post an adjustment with the ticket, or reverse the transfer at the provider.',
        '`amount_mismatch` and `reversed_transfer`: compare with the provider; a reversal is mirrored in the ledger by the transfer webhook.',
      ],
      escalation: 'Finance owner of the store; payments on-call if several stores report at once.',
      runbook,
      test: {
        firing: [series(reconciliationDiscrepancies, { provider: 'stripe', kind: 'missing_transfer' }, '0 1x119')],
        quiet: [series(reconciliationDiscrepancies, { provider: 'stripe', kind: 'missing_transfer' }, '0x120')],
      },
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 22,
      title: 'Consignment payouts: closure, outcomes, reconciliation',
      description: 'p95 of payout run closure (target < 5 minutes), payouts by outcome, reconciliation discrepancies by kind, and p95 notification latency (target < 2 minutes).',
      kind: 'timeseries',
      unit: 's',
      targets: [
        { expr: quantile(0.95, payoutCloseDuration, { window: '$__rate_interval' }), legend: 'closure p95' },
        { expr: quantile(0.95, notificationLatency, { window: '$__rate_interval' }), legend: 'notification p95' },
        { expr: sumRate(payoutsProcessed, { window: '$__rate_interval', by: ['outcome'] }), legend: 'payouts {{outcome}}' },
        { expr: sumRate(reconciliationDiscrepancies, { window: '$__rate_interval', by: ['kind'] }), legend: 'discrepancies {{kind}}/s' },
      ],
    },
  ],
});

