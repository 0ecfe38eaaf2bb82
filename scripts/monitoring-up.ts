/**
 * `npm run monitoring:up [app-host:port]`: the OS packages' Prometheus, Alertmanager and postgres_exporter
 * against a running app (default 127.0.0.1:8080, as `npm start` listens), with the generated rules and
 * routing, for a person to look at. Notifications go to this process (printed), never to PagerDuty or Slack.
 * postgres_exporter connects as the migration's `storefront_exporter` role to the database of
 * EXPORTER_DATABASE_URL, or of DATABASE_URL with that user. Ctrl-C stops everything.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startStack } from './monitoring/stack.ts';

const root = join(import.meta.dirname, '..');
const target = process.argv[2] ?? '127.0.0.1:8080';

function exporterUrl(): string | undefined {
  if (process.env.EXPORTER_DATABASE_URL) return process.env.EXPORTER_DATABASE_URL;
  if (!process.env.DATABASE_URL) return undefined;
  const url = new URL(process.env.DATABASE_URL);
  url.username = 'storefront_exporter';
  url.password = '';
  url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

const receiver = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const { receiver: name, alerts } = JSON.parse(body) as { receiver: string; alerts: { status: string; labels: Record<string, string> }[] };
    for (const alert of alerts) console.log(`[${name}] ${alert.status} ${alert.labels.alertname} ${JSON.stringify(alert.labels)}`);
    response.end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

const databaseUrl = exporterUrl();
const stack = await startStack({
  root,
  dir: join(root, '.data/monitoring'),
  appTargets: [target],
  receiverUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
  interval: '5s',
  ...(databaseUrl ? { exporterDatabaseUrl: databaseUrl } : {}),
});
console.log(`Prometheus:      ${stack.prometheusUrl} (alerts: ${stack.prometheusUrl}/alerts)`);
console.log(`Alertmanager:    ${stack.alertmanagerUrl}`);
console.log(stack.exporterUrl ? `postgres_exporter: ${stack.exporterUrl}/metrics` : 'postgres_exporter: not started (set DATABASE_URL or EXPORTER_DATABASE_URL)');
console.log(`Scraping ${target}/q/metrics. Ctrl-C stops.`);

const stop = async () => {
  await stack.stop();
  receiver.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
