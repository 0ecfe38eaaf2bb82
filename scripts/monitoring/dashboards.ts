import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  AnnotationQueryBuilder,
  CustomVariableBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  type Dashboard,
  DatasourceVariableBuilder,
  type Panel,
  QueryVariableBuilder,
  TextBoxVariableBuilder,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as text from '@grafana/grafana-foundation-sdk/text';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { JOB_PRIORITIES } from '../../src/platform/config/config.ts';
import type { AlertDefinition, DashboardUid, PanelDefinition } from '../../src/platform/observability/alerting.ts';
import { metricName } from '../../src/platform/observability/promql.ts';
import { httpRequests } from '../../src/platform/observability/telemetry.ts';
import type { Collected } from './collect.ts';
import { runbookUrl } from './links.ts';

export const DASHBOARDS: readonly { uid: DashboardUid; title: string; description: string }[] = [
  { uid: 'component-kpis', title: 'Component KPIs', description: 'Every component KPI: panel ids match the KPI coverage matrix of the alert catalog.' },
  { uid: 'background-jobs', title: 'Background Job Health', description: 'Queue depth, throughput, dead letters, retries and workers, per the job runbook.' },
  { uid: 'distributed-tracing', title: 'Distributed Tracing', description: 'Latency and errors per route and job with trace exemplars, and trace search by correlation ID.' },
  { uid: 'error-tracking', title: 'Error Tracking', description: 'Error rates, errors by endpoint and type.' },
  { uid: 'database-performance', title: 'Database Performance', description: 'Connections, pool saturation, query latency, top statements (postgres_exporter, pg_stat_statements).' },
  { uid: 'jobs-deep-dive', title: 'Jobs Deep Dive', description: 'Job execution rate, duration by class and outcome, failures by attempt, workers up.' },
  { uid: 'golden-signals', title: 'Golden Signals', description: 'Latency, traffic, errors and saturation of the whole product.' },
];

const DATASOURCE = { type: 'prometheus', uid: '$datasource' };

/** The methods every SDK panel builder shares, so one function can fill any kind. */
interface PanelBuilderLike extends cog.Builder<Panel> {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: { type: string; uid: string }): this;
  gridPos(gridPos: { h: number; w: number; x: number; y: number }): this;
  unit(unit: string): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  links(links: cog.Builder<import('@grafana/grafana-foundation-sdk/dashboard').DashboardLink>[]): this;
}

function builderFor(panel: PanelDefinition): PanelBuilderLike {
  switch (panel.kind) {
    case 'timeseries':
      return new timeseries.PanelBuilder();
    case 'stat':
      return new stat.PanelBuilder();
    case 'gauge':
      return new gauge.PanelBuilder();
    case 'table':
      return new table.PanelBuilder();
    case 'bargauge':
      return new bargauge.PanelBuilder();
    case 'heatmap':
      return new heatmap.PanelBuilder();
    case 'text':
      return new text.PanelBuilder().mode(text.TextMode.Markdown).content(panel.content ?? '');
  }
}

function variables() {
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    new QueryVariableBuilder('tenant_id')
      .label('Tenant')
      .description('Bounded tenant label: allow-listed and top tenants by traffic; the rest are "other".')
      .datasource(DATASOURCE)
      .query(`label_values(${metricName(httpRequests)}, tenant_id)`)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .multi(true)
      .includeAll(true)
      .allValue('.*'),
    new TextBoxVariableBuilder('correlation_id').label('Correlation ID').description('An X-Request-ID, for trace and log search.'),
    new CustomVariableBuilder('priority')
      .label('Job priority')
      .values(JOB_PRIORITIES.join(','))
      .multi(true)
      .includeAll(true)
      .allValue('.*'),
  ];
}

function buildPanel(panel: PanelDefinition, alerts: readonly AlertDefinition[], gridPos: { h: number; w: number; x: number; y: number }) {
  const builder = builderFor(panel).id(panel.id).title(panel.title).description(panel.description).gridPos(gridPos).unit(panel.unit);
  if (panel.kind !== 'text') builder.datasource(DATASOURCE);
  panel.targets.forEach((target, index) => {
    const query = new DataqueryBuilder()
      .datasource(DATASOURCE)
      .expr(target.expr)
      .legendFormat(target.legend ?? '__auto')
      .refId(String.fromCharCode(65 + index));
    if (target.instant) query.instant();
    if (target.exemplars) query.exemplar(true);
    builder.withTarget(query);
  });
  const linked = alerts.filter((alert) => alert.panel?.dashboard === panel.dashboard && alert.panel.id === panel.id);
  if (linked.length > 0) {
    builder.links(linked.map((alert) => new DashboardLinkBuilder(`Runbook: ${alert.name}`).type(DashboardLinkType.Link).url(runbookUrl(alert.name)).targetBlank(true)));
  }
  return builder;
}

/** Two 12-column panels per row (tables and text full width), in panel id order. */
function layout(panels: readonly PanelDefinition[]) {
  let x = 0;
  let y = 0;
  return panels.map((panel) => {
    const w = panel.wide || panel.kind === 'table' ? 24 : 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const position = { h: 8, w, x, y };
    x += w;
    return position;
  });
}

export function dashboards(collected: Collected): Map<DashboardUid, Dashboard> {
  const result = new Map<DashboardUid, Dashboard>();
  for (const definition of DASHBOARDS) {
    const panels = collected.panels.filter((panel) => panel.dashboard === definition.uid).sort((a, b) => a.id - b.id);
    const builder = new DashboardBuilder(`Village Storefront / ${definition.title}`)
      .uid(definition.uid)
      .description(definition.description)
      .tags(['village-storefront', 'generated'])
      .refresh('30s')
      .time({ from: 'now-6h', to: 'now' })
      .timezone('utc')
      .readonly()
      .variables(variables())
      .annotations(
        collected.annotations.map((annotation) =>
          new AnnotationQueryBuilder()
            .name(annotation.name)
            .datasource(DATASOURCE)
            .enable(true)
            .iconColor(annotation.color)
            .expr(annotation.expr)
            .titleFormat(annotation.name)
            .textFormat(annotation.text)
            .step('60s'),
        ),
      )
      .link(new DashboardLinkBuilder('Village Storefront').type(DashboardLinkType.Dashboards).tags(['village-storefront']).asDropdown(true).includeVars(true).keepTime(true));
    const positions = layout(panels);
    for (const [index, panel] of panels.entries()) builder.withPanel(buildPanel(panel, collected.alerts, positions[index]!));
    result.set(definition.uid, builder.build());
  }
  return result;
}
