import { HttpProblem } from '../../platform/http/problem.ts';
import { logger } from '../../platform/observability/logger.ts';
import { type ActiveAlert, RuleEngine, loadRuleGroups } from '../../platform/observability/rules/engine.ts';
import type { Platform } from '../../platform/platform.ts';
import { REFRESH_SECONDS } from './widgets.ts';

const RULES_DIR = new URL('../../../monitoring/prometheus-rules', import.meta.url).pathname;
/** How often the in-process evaluator scrapes and evaluates (Prometheus' usual interval), and the history it keeps. */
const EVALUATION_INTERVAL_MS = 15_000;
const HISTORY_MS = 3_600_000;
const ALERTMANAGER_TIMEOUT_MS = 3_000;

interface WidgetAlert {
  name: string;
  severity: string;
  state: string;
  summary: string;
  description: string;
  labels: Record<string, string>;
  value: number | null;
  starts_at: string | null;
  runbook_url: string | null;
}

const engines = new WeakMap<Platform, RuleEngine>();

/** Starts evaluating the generated rules in process, where the console is served and no Alertmanager is set. */
export async function startRuleEngine(platform: Platform): Promise<void> {
  if (!platform.roles.has('web') || platform.config.observabilityLinks.alertmanagerUrl || engines.has(platform)) return;
  const engine = new RuleEngine(await loadRuleGroups(RULES_DIR), { historyMs: HISTORY_MS });
  const log = logger('platform-admin');
  engine.start(EVALUATION_INTERVAL_MS, (error) => log.warn({ err: error }, 'in-process rule evaluation failed'));
  engines.set(platform, engine);
}

export function stopRuleEngine(platform: Platform): void {
  engines.get(platform)?.stop();
  engines.delete(platform);
}

const fromEngine = (alert: ActiveAlert): WidgetAlert => ({
  name: alert.name,
  severity: alert.labels.severity ?? 'none',
  state: alert.state,
  summary: alert.annotations.summary ?? '',
  description: alert.annotations.description ?? '',
  labels: alert.labels,
  value: Number.isFinite(alert.value) ? alert.value : null,
  starts_at: new Date(alert.activeSince).toISOString(),
  runbook_url: alert.annotations.runbook_url ?? null,
});

interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  status?: { state?: string };
}

/** Alertmanager's API v2: the active alerts neither silenced nor inhibited. */
async function fromAlertmanager(url: string): Promise<WidgetAlert[]> {
  const endpoint = `${url.replace(/\/+$/, '')}/api/v2/alerts?active=true&silenced=false&inhibited=false`;
  let alerts: AlertmanagerAlert[];
  try {
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(ALERTMANAGER_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`Alertmanager answered ${response.status}`);
    alerts = (await response.json()) as AlertmanagerAlert[];
  } catch (error) {
    logger('platform-admin').warn({ err: error }, 'Alertmanager unavailable for the alerts widget');
    throw new HttpProblem(503, 'Alertmanager unavailable', 'The active alerts cannot be read from Alertmanager right now.', { headers: { 'retry-after': '30' } });
  }
  return alerts.map((alert) => ({
    name: alert.labels.alertname ?? 'unnamed',
    severity: alert.labels.severity ?? 'none',
    state: alert.status?.state ?? 'active',
    summary: alert.annotations?.summary ?? '',
    description: alert.annotations?.description ?? '',
    labels: alert.labels,
    value: null,
    starts_at: alert.startsAt ?? null,
    runbook_url: alert.annotations?.runbook_url ?? null,
  }));
}

/** The active-alerts widget: Alertmanager when ALERTMANAGER_URL is set, else the in-process evaluation. */
export async function alertsWidget(platform: Platform) {
  const url = platform.config.observabilityLinks.alertmanagerUrl;
  if (url) {
    const alerts = await fromAlertmanager(url);
    return { data_as_of: new Date().toISOString(), refresh_seconds: REFRESH_SECONDS.alerts, source: 'alertmanager' as const, alerts };
  }
  const engine = engines.get(platform);
  if (!engine?.lastEvaluatedAt) {
    throw new HttpProblem(503, 'Alerts not evaluated yet', 'The in-process rule evaluation has not completed its first round.', { headers: { 'retry-after': '15' } });
  }
  return {
    data_as_of: new Date(engine.lastEvaluatedAt).toISOString(),
    refresh_seconds: REFRESH_SECONDS.alerts,
    source: 'in-process' as const,
    alerts: engine.alerts().map(fromEngine),
  };
}
