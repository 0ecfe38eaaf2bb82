import type { PanelRef } from '../../src/platform/observability/alerting.ts';

/** Where on-call engineers open the docs and Grafana; alerts carry absolute links. */
export const DOCS_URL = 'https://docs.villagecompute.com/storefront/operations';
export const GRAFANA_URL = 'https://grafana.villagecompute.com';

/** The catalog's section anchor of an alert (GitHub-style: the heading in lower case). */
export const anchor = (alertName: string) => alertName.toLowerCase();

export const runbookUrl = (alertName: string) => `${DOCS_URL}/alert_catalog.md#${anchor(alertName)}`;

export const dashboardUrl = (panel: PanelRef) => `${GRAFANA_URL}/d/${panel.dashboard}?viewPanel=${panel.id}`;
