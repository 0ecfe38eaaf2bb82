import { defineMetric } from '../../platform/observability/metrics.ts';

/** Identity & Session Service metrics (seed 000 "Identity & Session Service", seed 001 §3.16). */
export const tokenIssuanceDuration = defineMetric({
  name: 'villagecompute_storefront_identity_token_issuance_duration_seconds',
  help: 'Time to issue an access token (and its refresh token), by grant.',
  type: 'histogram',
  labels: ['grant'],
  component: 'identity',
  kpi: '001 §3.16 Identity Service: token issuance median < 50 ms',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
});

export const tokenRefreshTotal = defineMetric({
  name: 'villagecompute_storefront_identity_token_refresh_total',
  help: 'Refresh-token exchanges attempted.',
  type: 'counter',
  labels: [],
  component: 'identity',
  kpi: '001 §3.16 Identity Service: refresh success > 99%',
});

export const tokenRefreshSuccessTotal = defineMetric({
  name: 'villagecompute_storefront_identity_token_refresh_success_total',
  help: 'Refresh-token exchanges that issued new tokens.',
  type: 'counter',
  labels: [],
  component: 'identity',
  kpi: '001 §3.16 Identity Service: refresh success > 99%',
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
