import { onCLS, onLCP, onTTFB } from 'web-vitals';
import type { Router } from 'vue-router';

type TelemetryEvent =
  | { type: 'navigation'; route: string; duration_ms: number; failed?: boolean }
  | { type: 'vital'; name: 'TTFB' | 'LCP' | 'CLS'; value: number }
  | { type: 'error'; kind: 'script' | 'promise' };

const FLUSH_MS = 10_000;
const MAX_BATCH = 100;

/**
 * Client-side measurements sent in batches to the server, which turns them into metrics: route transition
 * time (router start to the next painted frame), web vitals, and script errors. Sent with sendBeacon so the
 * last batch survives the tab closing.
 */
export function startTelemetry(endpoint: string, router: Router): { flush(): void } {
  let queue: TelemetryEvent[] = [];
  const push = (event: TelemetryEvent) => {
    queue.push(event);
    if (queue.length >= MAX_BATCH) flush();
  };
  const flush = () => {
    if (queue.length === 0) return;
    const body = JSON.stringify({ events: queue.slice(0, MAX_BATCH) });
    queue = queue.slice(MAX_BATCH);
    const blob = new Blob([body], { type: 'application/json' });
    if (!navigator.sendBeacon?.(endpoint, blob)) void fetch(endpoint, { method: 'POST', body, headers: { 'content-type': 'application/json' }, keepalive: true });
  };

  let started = 0;
  router.beforeEach(() => {
    started = performance.now();
  });
  router.afterEach((to, _from, failure) => {
    const route = typeof to.name === 'string' ? to.name : 'unnamed';
    if (failure) return push({ type: 'navigation', route, duration_ms: performance.now() - started, failed: true });
    // The transition ends when the new screen is painted: the frame after the next one.
    requestAnimationFrame(() => setTimeout(() => push({ type: 'navigation', route, duration_ms: performance.now() - started })));
  });
  router.onError(() => push({ type: 'navigation', route: 'unnamed', duration_ms: performance.now() - started, failed: true }));

  onTTFB((metric) => push({ type: 'vital', name: 'TTFB', value: metric.value }));
  onLCP((metric) => push({ type: 'vital', name: 'LCP', value: metric.value }));
  onCLS((metric) => push({ type: 'vital', name: 'CLS', value: metric.value }));
  addEventListener('error', () => push({ type: 'error', kind: 'script' }));
  addEventListener('unhandledrejection', () => push({ type: 'error', kind: 'promise' }));

  setInterval(flush, FLUSH_MS);
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush();
  });
  return { flush };
}
