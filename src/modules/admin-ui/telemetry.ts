import { defineTelemetry, growing, holding, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, selector, sumRate } from '../../platform/observability/promql.ts';

/** Admin SPA delivery: what a first visit downloads (gzipped), from the build manifest. Seed < 2 MB, goal < 300 KB. */
export const adminBundleSize = defineMetric({
  name: 'villagecompute_storefront_admin_spa_bundle_size_bytes',
  help: 'Size of the admin app as served gzipped: initial (what a first visit fetches) and total (every asset).',
  type: 'gauge',
  labels: ['type'],
  component: 'admin_spa',
  kpi: 'Admin SPA initial load < 2 MB gzipped (goal < 300 KB)',
});

/** Route transitions measured in the browser (router start to the next painted frame), reported in batches. */
export const adminNavigationLatency = defineMetric({
  name: 'villagecompute_storefront_admin_spa_navigation_latency_seconds',
  help: 'Admin route transition time measured in the browser, by route.',
  type: 'histogram',
  labels: ['route'],
  component: 'admin_spa',
  kpi: 'Admin SPA route transitions fast and error-free (> 99.5 %)',
  buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
});

/** Web vitals of admin page loads (TTFB and LCP in seconds; CLS unitless). */
export const adminWebVitals = defineMetric({
  name: 'villagecompute_storefront_admin_spa_web_vital',
  help: 'Web vitals of admin page loads as reported by the browser: TTFB and LCP in seconds, CLS as a score.',
  type: 'histogram',
  labels: ['vital'],
  component: 'admin_spa',
  kpi: 'Admin SPA loads quickly and stays stable',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4, 10],
});

/** Script errors and failed route transitions in the browser; against navigations this gives the error-free ratio. */
export const adminClientErrors = defineMetric({
  name: 'villagecompute_storefront_admin_spa_client_errors_total',
  help: 'Errors reported by the admin app in the browser, by kind (script, promise, navigation).',
  type: 'counter',
  labels: ['kind'],
  component: 'admin_spa',
  kpi: 'Admin SPA error-free route transitions > 99.5 %',
});

const BUNDLE_LIMIT_BYTES = 2_000_000;
const failedNavigations = (window: string) => sumRate(adminClientErrors, { where: { kind: 'navigation' }, window });
/** Completed transitions are observed in the histogram, failed ones only counted as errors: the total is both. */
const navigations = (window: string) => `((${sumRate(adminNavigationLatency, { window }, '_count')} or vector(0)) + (${failedNavigations(window)} or vector(0)))`;

/** Alerts, the error-free navigation SLO and the component KPI panels 19–20 of the admin app. */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'AdminBundleSizeTooLarge',
      file: 'component-kpis',
      group: 'admin-spa',
      expr: `max(${selector(adminBundleSize, { type: 'initial' })}) > ${BUNDLE_LIMIT_BYTES}`,
      for: '10m',
      severity: 'info',
      summary: 'The admin app’s first visit downloads more than 2 MB',
      description: 'A first visit to the admin fetches {{ $value | humanize }}B gzipped (budget: < 2 MB, goal 300 KB).',
      action: 'Find what the release pulled into the entry chunk and make it lazy again.',
      kpi: 'admin-spa-bundle-size',
      panel: { dashboard: 'component-kpis', id: 19 },
      meaning: 'Merchants on slow connections wait longer for the back office after this release; nothing is broken.',
      steps: [
        '`ui/dist/admin/.vite/manifest.json`: the chunk with `isEntry` and its `imports` show what a first visit loads.',
        'Screens must stay lazy (`() => import(...)` in `ui/admin/src/router.ts`); a large library belongs to the screen using it.',
        'Rebuild (`npm run build:ui`) and check panel 19 after the next deploy.',
      ],
      runbook: 'admin-app.md#symptoms',
      test: {
        firing: [series(adminBundleSize, { type: 'initial' }, holding(2_500_000))],
        quiet: [series(adminBundleSize, { type: 'initial' }, holding(250_000)), series(adminBundleSize, { type: 'total' }, holding(2_500_000))],
      },
    },
    {
      name: 'AdminNavigationLatencyHigh',
      file: 'component-kpis',
      group: 'admin-spa',
      expr: `${quantile(0.95, adminNavigationLatency, { window: '10m', by: ['route'] })} > 1`,
      for: '15m',
      severity: 'warning',
      summary: 'Admin route transitions above 1 s (p95)',
      description: 'p95 of transitions to {{ $labels.route }} is {{ $value | humanizeDuration }} in merchants’ browsers (threshold: 1 s).',
      action: 'Check the API latency of the routes that screen calls, then the screen’s own work in the browser.',
      kpi: 'admin-spa-navigation-latency',
      panel: { dashboard: 'component-kpis', id: 20 },
      meaning: 'Merchants wait more than a second when they open this back-office screen.',
      steps: [
        'Which `route`: one screen points at its API call, every route at the API as a whole or a heavy release.',
        '`villagecompute_storefront_http_request_duration_seconds` by route template for the screen’s API calls.',
        'Nothing slow on the server: a screen doing heavy work before painting; profile it with `npm run dev:admin`.',
      ],
      runbook: 'admin-app.md#symptoms',
      test: {
        firing: observations(adminNavigationLatency, { route: 'products' }, [{ seconds: 2, perMinute: 20 }]),
        quiet: observations(adminNavigationLatency, { route: 'products' }, [{ seconds: 0.1, perMinute: 20 }]),
      },
    },
  ],
  slos: [
    {
      name: 'admin-spa-navigation-success',
      component: 'admin_spa',
      objective: 99.5,
      description: 'Admin route transitions that completed without error, of all route transitions reported by browsers.',
      errors: failedNavigations,
      total: navigations,
      measuredBy: adminNavigationLatency,
      test: (bad, good) => [
        series(adminClientErrors, { kind: 'navigation' }, growing(bad)),
        ...observations(adminNavigationLatency, { route: 'products' }, [{ seconds: 0.1, perMinute: good }]),
      ],
      steps: ['`villagecompute_storefront_admin_spa_client_errors_total{kind="navigation"}`: a release with broken chunks recovers on reload; errors that persist mean roll back (admin app runbook).'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 19,
      title: 'Admin app bundle size (gzipped)',
      description: 'What a first visit to the admin downloads (initial; budget < 2 MB, goal 300 KB) and every asset (total).',
      kind: 'timeseries',
      unit: 'bytes',
      targets: [{ expr: `max by (type) (${selector(adminBundleSize)})`, legend: '{{type}}' }],
    },
    {
      dashboard: 'component-kpis',
      id: 20,
      title: 'Admin route transitions (p95) by route',
      description: 'Route transition time measured in merchants’ browsers, router start to painted screen (alert above 1 s).',
      kind: 'timeseries',
      unit: 's',
      targets: [{ expr: quantile(0.95, adminNavigationLatency, { window: '$__rate_interval', by: ['route'] }), legend: '{{route}}' }],
    },
  ],
});
