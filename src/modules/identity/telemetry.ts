import { defineTelemetry, growing, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, sumRate } from '../../platform/observability/promql.ts';

/** Identity & Session Service metrics. */
export const tokenIssuanceDuration = defineMetric({
  name: 'villagecompute_storefront_identity_token_issuance_duration_seconds',
  help: 'Time to issue an access token (and its refresh token), by grant.',
  type: 'histogram',
  labels: ['grant'],
  component: 'identity',
  kpi: 'Identity Service: token issuance median < 50 ms',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
});

export const tokenRefreshTotal = defineMetric({
  name: 'villagecompute_storefront_identity_token_refresh_total',
  help: 'Refresh-token exchanges attempted.',
  type: 'counter',
  labels: [],
  component: 'identity',
  kpi: 'Identity Service: refresh success > 99%',
});

export const tokenRefreshSuccessTotal = defineMetric({
  name: 'villagecompute_storefront_identity_token_refresh_success_total',
  help: 'Refresh-token exchanges that issued new tokens.',
  type: 'counter',
  labels: [],
  component: 'identity',
  kpi: 'Identity Service: refresh success > 99%',
});

export const loginFailuresTotal = defineMetric({
  name: 'villagecompute_storefront_identity_login_failures_total',
  help: 'Refused logins, by reason (bad_credentials, throttled, disabled).',
  type: 'counter',
  labels: ['reason'],
  component: 'identity',
});

export const passwordWorkShed = defineMetric({
  name: 'villagecompute_storefront_identity_password_work_shed_total',
  help: 'Password hashes refused because their lane (login, suspect, new) was full: answered 503 with Retry-After.',
  type: 'counter',
  labels: ['lane'],
  component: 'identity',
});

const refreshFailureRatio = (window: string) => `(1 - ${sumRate(tokenRefreshSuccessTotal, { window })} / ${sumRate(tokenRefreshTotal, { window })})`;

/** Alerts, SLOs and panels of the Identity & Session Service (panels 3–4). */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'TokenIssuanceLatencyHigh',
      file: 'component-kpis',
      group: 'identity',
      expr: `${quantile(0.5, tokenIssuanceDuration)} > 0.05`,
      for: '10m',
      severity: 'warning',
      summary: 'Token issuance median above 50 ms',
      description: 'Median token issuance is {{ $value | humanizeDuration }} (target: < 50 ms).',
      action: 'Check CPU of the web pods (bcrypt on logins is CPU-bound) and the database latency of the session tables.',
      kpi: 'token-issuance-latency',
      panel: { dashboard: 'component-kpis', id: 3 },
      meaning: 'Logins, refreshes and client-credential grants take longer than 50 ms at the median.',
      steps: [
        'Split panel 3 by `grant`: `password` includes the bcrypt check, the others do not.',
        'CPU saturation on the golden-signals dashboard: add web replicas.',
        'Slow `insert` on the database-performance dashboard: session-log partitions (see the session-log runbook).',
      ],
      runbook: 'session-log-partitions.md',
      test: {
        firing: observations(tokenIssuanceDuration, { grant: 'refresh_token' }, [{ seconds: 0.1, perMinute: 50 }]),
        quiet: observations(tokenIssuanceDuration, { grant: 'refresh_token' }, [{ seconds: 0.005, perMinute: 50 }]),
      },
    },
    {
      name: 'TokenRefreshSuccessRateLow',
      file: 'component-kpis',
      group: 'identity',
      expr: `${sumRate(tokenRefreshSuccessTotal, { window: '15m' })} / ${sumRate(tokenRefreshTotal, { window: '15m' })} < 0.99`,
      for: '10m',
      severity: 'warning',
      summary: 'Fewer than 99 % of token refreshes succeed',
      description: 'Refresh success is {{ $value | humanizePercentage }} over 15 minutes (target: > 99 %).',
      action: 'Look for revoked token families and clock skew; a key rotation without the old key published fails every refresh.',
      kpi: 'token-refresh-success',
      panel: { dashboard: 'component-kpis', id: 4 },
      meaning: 'Shoppers and merchants are being logged out: their refresh tokens are refused.',
      steps: [
        'Logs of `identity` at warn: "refresh token reuse" means stolen or double-submitted tokens (family revoked).',
        'Right after a key rotation: check that the previous key is still in the key set.',
        'A spike from one client: a buggy client retrying with a spent token.',
      ],
      runbook: 'refresh-token-family-revoked.md',
      test: {
        firing: [series(tokenRefreshTotal, {}, growing(100)), series(tokenRefreshSuccessTotal, {}, growing(90))],
        quiet: [series(tokenRefreshTotal, {}, growing(100)), series(tokenRefreshSuccessTotal, {}, growing(100))],
      },
    },
  ],
  slos: [
    {
      name: 'identity-token-refresh',
      component: 'identity',
      objective: 99,
      description: 'Refresh-token exchanges that issued new tokens, of all attempted.',
      errors: (window) => `(${sumRate(tokenRefreshTotal, { window })} - ${sumRate(tokenRefreshSuccessTotal, { window })})`,
      total: (window) => sumRate(tokenRefreshTotal, { window }),
      measuredBy: tokenRefreshTotal,
      test: (bad, good) => [series(tokenRefreshTotal, {}, growing(bad + good)), series(tokenRefreshSuccessTotal, {}, growing(good))],
      steps: ['Follow `TokenRefreshSuccessRateLow` in this catalog.'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 3,
      title: 'Token issuance latency (p50, p95)',
      description: 'Time to issue access and refresh tokens, by grant. Target: median < 50 ms.',
      kind: 'timeseries',
      unit: 's',
      targets: [
        { expr: quantile(0.5, tokenIssuanceDuration, { window: '$__rate_interval', by: ['grant'] }), legend: 'p50 {{grant}}' },
        { expr: quantile(0.95, tokenIssuanceDuration, { window: '$__rate_interval', by: ['grant'] }), legend: 'p95 {{grant}}' },
      ],
    },
    {
      dashboard: 'component-kpis',
      id: 4,
      title: 'Token refresh failure ratio',
      description: 'Refresh-token exchanges refused, of all attempted. Target: < 1 %.',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [{ expr: refreshFailureRatio('$__rate_interval'), legend: 'failed refreshes' }],
    },
  ],
});
