import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freeLoopbackPort } from '../../src/platform/db/embedded.ts';

/**
 * The Debian Prometheus and Alertmanager on loopback, loaded with the generated rules and routing.
 * `forZero` sets every rule's `for` to 0s so a test sees alerts within seconds; `receiverUrl` replaces every
 * receiver by a webhook on this machine, so nothing is ever sent to PagerDuty, Slack or a mail server.
 */
export interface StackOptions {
  root: string;
  dir: string;
  /** host:port targets scraped as job `village-storefront`. */
  appTargets: string[];
  /** PostgreSQL URL for postgres_exporter (scraped as job `postgres`); none runs without it. */
  exporterDatabaseUrl?: string;
  receiverUrl: string;
  forZero?: boolean;
  interval?: string;
}

export interface Stack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  exporterUrl?: string;
  processes: ChildProcess[];
  output(): string;
  stop(): Promise<void>;
}

const RULE_FILES = ['component-kpis', 'background-jobs', 'platform'];

async function rules(options: StackOptions): Promise<string[]> {
  const paths: string[] = [];
  for (const file of RULE_FILES) {
    const text = await readFile(join(options.root, `monitoring/prometheus-rules/${file}.rules.yaml`), 'utf8');
    const path = join(options.dir, `${file}.rules.yaml`);
    await writeFile(path, options.forZero ? text.replace(/^(\s+)for: .+$/gm, '$1for: 0s') : text);
    paths.push(path);
  }
  return paths;
}

async function alertmanagerConfig(options: StackOptions): Promise<string> {
  const config = parse(await readFile(join(options.root, 'monitoring/alertmanager/alertmanager.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    receivers: { name: string }[];
  };
  config.global = { resolve_timeout: '5m' };
  config.receivers = config.receivers.map((receiver) => ({ name: receiver.name, webhook_configs: [{ url: options.receiverUrl, send_resolved: true }] }));
  const path = join(options.dir, 'alertmanager.yml');
  await writeFile(path, stringify(config));
  return path;
}

function start(command: string, args: string[], log: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', (error: NodeJS.ErrnoException) => {
    const pkg = command === 'prometheus' ? 'prometheus' : command === 'prometheus-alertmanager' ? 'prometheus-alertmanager' : 'prometheus-postgres-exporter';
    log.push(error.code === 'ENOENT' ? `${command} is not installed: apt-get install ${pkg}` : String(error));
  });
  child.stdout?.on('data', (chunk) => log.push(String(chunk)));
  child.stderr?.on('data', (chunk) => log.push(String(chunk)));
  return child;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, log?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${log ? `\n${log().slice(-4000)}` : ''}`);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  await mkdir(options.dir, { recursive: true });
  const [prometheusPort, alertmanagerPort, exporterPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const exporterTarget = options.exporterDatabaseUrl ? `127.0.0.1:${exporterPort}` : undefined;
  const interval = options.interval ?? '1s';
  const prometheusConfig = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: await rules(options),
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
    scrape_configs: [
      { job_name: 'village-storefront', metrics_path: '/q/metrics', static_configs: [{ targets: options.appTargets }] },
      ...(exporterTarget ? [{ job_name: 'postgres', static_configs: [{ targets: [exporterTarget] }] }] : []),
    ],
  };
  const prometheusFile = join(options.dir, 'prometheus.yml');
  await writeFile(prometheusFile, stringify(prometheusConfig));
  const log: string[] = [];
  const alertmanager = start(
    'prometheus-alertmanager',
    [
      `--config.file=${await alertmanagerConfig(options)}`,
      `--storage.path=${join(options.dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
      '--cluster.listen-address=',
    ],
    log,
  );
  const prometheus = start(
    'prometheus',
    [
      `--config.file=${prometheusFile}`,
      `--storage.tsdb.path=${join(options.dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
      '--enable-feature=exemplar-storage',
    ],
    log,
  );
  const processes = [alertmanager, prometheus];
  if (options.exporterDatabaseUrl) {
    processes.push(
      start(
        'prometheus-postgres-exporter',
        [`--web.listen-address=${exporterTarget}`, `--extend.query-path=${join(options.root, 'monitoring/postgres-exporter/queries.yaml')}`],
        log,
        { DATA_SOURCE_NAME: options.exporterDatabaseUrl },
      ),
    );
  }
  const stack: Stack = {
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    alertmanagerUrl: `http://127.0.0.1:${alertmanagerPort}`,
    ...(exporterTarget ? { exporterUrl: `http://${exporterTarget}` } : {}),
    processes,
    output: () => log.join(''),
    async stop() {
      await Promise.all(
        processes.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
              const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
              child.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
  try {
    for (const url of [stack.prometheusUrl, stack.alertmanagerUrl]) {
      await waitFor(`${url}/-/ready`, async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 20_000, stack.output);
    }
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
