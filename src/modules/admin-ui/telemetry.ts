import { defineMetric } from '../../platform/observability/metrics.ts';

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
