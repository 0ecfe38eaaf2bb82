import { modules } from '../../src/modules/index.ts';
import type { AlertDefinition, AnnotationDefinition, PanelDefinition, SloDefinition, Telemetry } from '../../src/platform/observability/alerting.ts';
import { platformTelemetry } from '../../src/platform/observability/platform-telemetry.ts';

export interface Source {
  name: string;
  telemetry: Telemetry;
}

export interface Collected {
  alerts: AlertDefinition[];
  slos: SloDefinition[];
  panels: PanelDefinition[];
  annotations: AnnotationDefinition[];
}

/** The platform's telemetry and that of every module in `src/modules/index.ts`. */
export function productSources(): Source[] {
  return [...platformTelemetry, ...modules.map((module) => ({ name: module.name, telemetry: module.telemetry ?? {} }))];
}

/** Everything declared, checked for the mistakes a reviewer would miss (duplicates, dangling panel links). */
export function collect(sources: readonly Source[] = productSources()): Collected {
  const collected: Collected = {
    alerts: sources.flatMap((source) => source.telemetry.alerts ?? []),
    slos: sources.flatMap((source) => source.telemetry.slos ?? []),
    panels: sources.flatMap((source) => source.telemetry.panels ?? []),
    annotations: sources.flatMap((source) => source.telemetry.annotations ?? []),
  };
  unique(collected.alerts.map((alert) => alert.name), 'alert');
  unique(collected.slos.map((slo) => slo.name), 'SLO');
  unique(collected.panels.map((panel) => `${panel.dashboard}#${panel.id}`), 'panel');
  const panels = new Set(collected.panels.map((panel) => `${panel.dashboard}#${panel.id}`));
  for (const alert of collected.alerts) {
    if (!/^[A-Z][A-Za-z0-9]+$/.test(alert.name)) throw new Error(`alert ${alert.name}: names are CamelCase`);
    if (alert.panel && !panels.has(`${alert.panel.dashboard}#${alert.panel.id}`)) {
      throw new Error(`alert ${alert.name} links panel ${alert.panel.id} of ${alert.panel.dashboard}, which no telemetry.ts declares`);
    }
  }
  for (const slo of collected.slos) {
    if (!/^[a-z][a-z0-9-]+$/.test(slo.name)) throw new Error(`SLO ${slo.name}: names are kebab-case`);
    if (!(slo.objective > 0 && slo.objective < 100)) throw new Error(`SLO ${slo.name}: objective is a percentage below 100`);
  }
  return collected;
}

function unique(names: string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`${what} ${name} is declared twice`);
    seen.add(name);
  }
}
