import type { ObservabilityLinksConfig } from '../../platform/config/config.ts';
import { selector } from '../../platform/observability/promql.ts';
import { httpRequests } from '../../platform/observability/telemetry.ts';

export interface OutboundLinks {
  prometheus: string;
  grafana?: string;
  jaeger?: string;
  loki?: string;
}

const base = (url: string) => url.replace(/\/+$/, '');

/** What to look at: one request (its trace and time), or one store over a period. */
export interface LinkTarget {
  tenantId: string | null;
  from: Date;
  to: Date;
  requestId?: string;
  traceId?: string;
}

/**
 * Links out to the deployment's own tools, each carrying the tenant (and the request where there is one): the
 * store's request rate in Prometheus, the tracing dashboard in Grafana, the trace (or the store's traces) in
 * Jaeger, the log lines in Loki. Only tools whose URL is configured get a link; Prometheus always does.
 */
export function outboundLinks(config: ObservabilityLinksConfig, target: LinkTarget): OutboundLinks {
  const tenant = target.tenantId ?? undefined;
  const expr = `sum by (route, status_class) (rate(${selector(httpRequests, tenant ? { tenant_id: tenant } : {})}[5m]))`;
  const minutes = Math.max(5, Math.ceil((target.to.getTime() - target.from.getTime()) / 60_000) + 10);
  const prometheus = new URL(`${base(config.prometheusUrl)}/graph`);
  prometheus.searchParams.set('g0.expr', expr);
  prometheus.searchParams.set('g0.tab', '0');
  prometheus.searchParams.set('g0.range_input', `${minutes}m`);
  prometheus.searchParams.set('g0.end_input', new Date(target.to.getTime() + 5 * 60_000).toISOString());
  const links: OutboundLinks = { prometheus: prometheus.toString() };

  if (config.grafanaUrl) {
    const grafana = new URL(`${base(config.grafanaUrl)}/d/${target.requestId ? 'distributed-tracing' : 'component-kpis'}`);
    grafana.searchParams.set('var-tenant_id', tenant ?? '$__all');
    if (target.requestId) grafana.searchParams.set('var-request_id', target.requestId);
    grafana.searchParams.set('from', String(target.from.getTime() - 5 * 60_000));
    grafana.searchParams.set('to', String(target.to.getTime() + 5 * 60_000));
    links.grafana = grafana.toString();
  }
  if (config.jaegerUrl) {
    if (target.traceId) links.jaeger = `${base(config.jaegerUrl)}/trace/${target.traceId}`;
    else {
      const jaeger = new URL(`${base(config.jaegerUrl)}/search`);
      jaeger.searchParams.set('service', 'village-storefront');
      jaeger.searchParams.set('tags', JSON.stringify(tenant ? { 'tenant.id': tenant } : {}));
      jaeger.searchParams.set('start', String(target.from.getTime() * 1000));
      jaeger.searchParams.set('end', String(target.to.getTime() * 1000));
      links.jaeger = jaeger.toString();
    }
  }
  if (config.lokiUrl) {
    const filter = target.requestId ? ` | json | correlation_id="${target.requestId}"` : tenant ? ` | json | tenant_id="${tenant}"` : '';
    const loki = new URL(`${base(config.lokiUrl)}/loki/api/v1/query_range`);
    loki.searchParams.set('query', `{service="village-storefront"}${filter}`);
    loki.searchParams.set('start', String(target.from.getTime() * 1_000_000));
    loki.searchParams.set('end', String((target.to.getTime() + 60_000) * 1_000_000));
    links.loki = loki.toString();
  }
  return links;
}

