import type { Static } from 'typebox';
import type { TelemetryBatch } from './schemas.ts';
import { adminClientErrors, adminNavigationLatency, adminWebVitals } from './telemetry.ts';

type TelemetryEvent = Static<typeof TelemetryBatch>['events'][number];

/**
 * Route names come from browsers, so they are a label only while few: the first MAX_ROUTES names seen keep
 * their own series, any later one is folded into `other` (the app has a few dozen routes; more means abuse).
 */
const MAX_ROUTES = 64;
const routes = new Set<string>();

function routeLabel(route: string): string {
  if (routes.has(route)) return route;
  if (routes.size >= MAX_ROUTES) return 'other';
  routes.add(route);
  return route;
}

const VITAL_SCALE = { TTFB: 1 / 1000, LCP: 1 / 1000, CLS: 1 } as const;

export function recordTelemetry(events: TelemetryEvent[]): void {
  for (const event of events) {
    switch (event.type) {
      case 'navigation':
        if (event.failed) adminClientErrors.inc({ kind: 'navigation' });
        else adminNavigationLatency.observe({ route: routeLabel(event.route) }, event.duration_ms / 1000);
        break;
      case 'vital':
        adminWebVitals.observe({ vital: event.name }, event.value * VITAL_SCALE[event.name]);
        break;
      case 'error':
        adminClientErrors.inc({ kind: event.kind });
        break;
    }
  }
}
