import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT_DIR, syncMonitoringManifests } from '../../scripts/k8s-monitoring.ts';
import { type Container, type K8sObject, OVERLAYS, byKind, field, named, podTemplates, render, validateObject } from './manifests.ts';

const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, render(`deploy/k8s/overlays/${overlay}`)])) as Record<
  (typeof OVERLAYS)[number],
  K8sObject[]
>;
const APP_IMAGE = /\/village-storefront(-media)?:/;
const appContainers = (objects: K8sObject[]) =>
  podTemplates(objects).flatMap((pod) => pod.spec.containers.filter((container) => APP_IMAGE.test(container.image)).map((container) => ({ pod, container })));

/** Every name the configuration reads, from its source and the README's table. */
const configVariables = () => {
  const source = readFileSync('src/platform/config/config.ts', 'utf8');
  const readme = readFileSync('README.md', 'utf8');
  return new Set([...source.matchAll(/'([A-Z][A-Z0-9_]+)'/g), ...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((match) => match[1]!));
};
/** Read by Node.js or npm themselves, not by our configuration. */
const RUNTIME_VARIABLES = new Set(['NODE_ENV', 'NODE_OPTIONS', 'NPM_CONFIG_CACHE', 'NPM_CONFIG_UPDATE_NOTIFIER']);

describe('Kubernetes manifests', () => {
  it('render for the base and every overlay', () => {
    expect(render('deploy/k8s/base').length).toBeGreaterThan(20);
    for (const overlay of OVERLAYS) expect(rendered[overlay].length, overlay).toBeGreaterThan(20);
  });

  it('validate against the Kubernetes, cert-manager, KEDA, prometheus-operator and External Secrets schemas', async () => {
    for (const overlay of OVERLAYS) {
      const failures: string[] = [];
      for (const object of rendered[overlay]) await validateObject(object).catch((error: Error) => failures.push(error.message));
      expect(failures, overlay).toEqual([]);
      expect(new Set(rendered[overlay].map((object) => object.metadata.namespace ?? 'cluster')), overlay).toEqual(new Set(['village-storefront', 'cluster']));
    }
  });

  it('the schema check catches a wrong field type and an unknown kind', async () => {
    const deployment = structuredClone(named(rendered.prod, 'Deployment', 'web-blue')!);
    (deployment.spec as { replicas: unknown }).replicas = 'three';
    await expect(validateObject(deployment)).rejects.toThrow(/replicas must be integer/);
    const scaled = structuredClone(named(rendered.prod, 'ScaledObject', 'worker-default')!);
    field<{ metadata: Record<string, unknown> }[]>(scaled, 'spec', 'triggers')[0]!.metadata.threshold = 200;
    await expect(validateObject(scaled)).rejects.toThrow(/threshold must be string/);
    await expect(validateObject({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledThing', metadata: { name: 'x' } })).rejects.toThrow(/no such kind/);
  });

  it('run every container as non-root with a read-only root filesystem, no privileges and the restricted profile', () => {
    for (const overlay of OVERLAYS) {
      const namespace = named(rendered[overlay], 'Namespace', 'village-storefront')!;
      expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const pod of podTemplates(rendered[overlay])) {
        const where = `${overlay} ${pod.owner.kind}/${pod.owner.metadata.name}`;
        expect(pod.spec.securityContext, where).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.spec.securityContext?.runAsUser, where).toBeGreaterThan(0);
        expect(pod.spec.automountServiceAccountToken, where).toBe(false);
        expect(pod.spec.hostNetwork ?? false, where).toBe(false);
        expect(JSON.stringify(pod.spec.volumes ?? []), where).not.toContain('hostPath');
        for (const container of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
          expect(container.securityContext, `${where} ${container.name}`).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
          expect(container.securityContext?.privileged ?? false).toBe(false);
          expect(container.securityContext?.runAsUser ?? 1000, `${where} ${container.name}`).not.toBe(0);
        }
      }
    }
  });

  it('give every container requests and limits, and every long-running container its three probes', () => {
    for (const overlay of OVERLAYS) {
      for (const pod of podTemplates(rendered[overlay])) {
        for (const container of pod.spec.containers) {
          const where = `${overlay} ${pod.owner.kind}/${pod.owner.metadata.name} ${container.name}`;
          for (const kind of ['requests', 'limits'] as const) {
            expect(Object.keys(container.resources?.[kind] ?? {}).sort(), `${where} ${kind}`).toEqual(['cpu', 'memory']);
          }
          if (pod.owner.kind === 'Job') continue; // runs to completion: nothing to probe
          for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) expect(container[probe], `${where} ${probe}`).toBeDefined();
          if (APP_IMAGE.test(container.image)) {
            expect(field(container, 'livenessProbe', 'httpGet', 'path'), where).toBe('/q/health/live');
            expect(field(container, 'startupProbe', 'httpGet', 'path'), where).toBe('/q/health/live');
            expect(field(container, 'readinessProbe', 'httpGet', 'path'), where).toBe('/q/health/ready');
          }
        }
      }
    }
  });

  it('pin every image to a version, one release for every role of an environment', () => {
    for (const overlay of OVERLAYS) {
      const images = podTemplates(rendered[overlay]).flatMap((pod) => pod.spec.containers.map((container) => container.image));
      for (const image of images) {
        expect(image, overlay).toMatch(/^[a-z0-9./-]+(:\d+\.\d+(\.\d+)?[\w.-]*|@sha256:[0-9a-f]{64})$/);
        expect(image).not.toMatch(/:latest$/);
      }
      const releases = new Set(images.filter((image) => APP_IMAGE.test(image)).map((image) => image.split(':').pop()));
      expect(releases.size, overlay).toBe(1);
    }
  });

  it('hold no secret values: credentials come from ExternalSecrets, environment values carry no passwords', () => {
    for (const overlay of OVERLAYS) {
      for (const object of byKind(rendered[overlay], 'Secret')) {
        // The only Secret written from the repository is Alertmanager's generated configuration, whose
        // receivers read their credentials from files of another Secret.
        expect(object.metadata.name).toBe('village-storefront-alertmanager-config');
        const text = Object.values(object.stringData ?? {}).join('\n');
        expect(text).not.toMatch(/^\s*(auth_password|api_key|service_key|routing_key|bot_token|password|webhook_url)\s*:/m);
      }
      for (const { pod, container } of appContainers(rendered[overlay])) {
        for (const variable of container.env ?? []) {
          expect(variable.value ?? '', `${overlay} ${pod.owner.metadata.name} ${variable.name}`).not.toMatch(/:\/\/[^/@\s]*:[^/@\s]+@/);
          if (/PASSWORD|SECRET|TOKEN|SIGNING_KEYS/.test(variable.name)) expect(variable.value, variable.name).toBeUndefined();
        }
      }
      const configMapText = JSON.stringify(byKind(rendered[overlay], 'ConfigMap').map((configMap) => configMap.data));
      expect(configMapText).not.toMatch(/:\/\/[^/@\s"]*:[^/@\s"]+@|BEGIN [A-Z ]*PRIVATE KEY|sk_(live|test)_/);
    }
  });

  it('set only environment variables the configuration reads', () => {
    const known = configVariables();
    for (const overlay of OVERLAYS) {
      const names = new Set<string>();
      for (const configMap of byKind(rendered[overlay], 'ConfigMap').filter((object) => object.metadata.name === 'village-storefront-config')) {
        for (const name of Object.keys(configMap.data ?? {})) names.add(name);
      }
      for (const { container } of appContainers(rendered[overlay])) for (const variable of container.env ?? []) names.add(variable.name);
      const unknown = [...names].filter((name) => !known.has(name) && !RUNTIME_VARIABLES.has(name));
      expect(unknown, overlay).toEqual([]);
    }
  });

  it('run each role by APP_ROLE (migrations by command), with DATABASE_URL first in every worker and Job container and absent from web', () => {
    for (const overlay of OVERLAYS) {
      const roles = appContainers(rendered[overlay]).map(({ pod, container }) => [
        pod.owner.metadata.name,
        container.command?.join(' ') ?? container.env?.find((variable) => variable.name === 'APP_ROLE')?.value,
      ]);
      expect(Object.fromEntries(roles), overlay).toEqual({
        'media-worker': 'media-worker',
        'web-blue': 'web',
        'web-green': 'web',
        'worker-bulk': 'worker',
        'worker-critical': 'worker',
        'worker-default': 'worker',
        migrate: 'npm run migrate -- up',
      });
      for (const { pod, container } of appContainers(rendered[overlay])) {
        // Web replicas hold no owner credentials (migrations are their own Job), except on dev's owner-only database.
        const web = pod.owner.metadata.name.startsWith('web-');
        if (web && overlay !== 'dev') expect(container.env?.some((variable) => variable.name === 'DATABASE_URL')).toBe(false);
        else expect(container.env?.[0]?.name).toBe('DATABASE_URL');
      }
      expect(named(rendered[overlay], 'Deployment', 'media-worker')?.spec).toMatchObject({
        template: { spec: { containers: [{ image: expect.stringMatching(/village-storefront-media:/) }] } },
      });
    }
  });

  it('route the live colour through the web Service and give each colour its own Service, HPA and PDB', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      expect(field(named(objects, 'Service', 'web'), 'spec', 'selector')).toEqual({ 'app.kubernetes.io/component': 'web', 'village-storefront/color': 'blue' });
      for (const colour of ['blue', 'green']) {
        const deployment = named(objects, 'Deployment', `web-${colour}`)!;
        const podLabels = field<Record<string, string>>(deployment, 'spec', 'template', 'metadata', 'labels');
        expect(field(deployment, 'spec', 'replicas'), 'replicas belong to the HPA and the blue/green script').toBeUndefined();
        expect(podLabels['village-storefront/color']).toBe(colour);
        const selects = (selector: Record<string, string>) => Object.entries(selector).every(([key, value]) => podLabels[key] === value);
        expect(selects(field(named(objects, 'Service', `web-${colour}`), 'spec', 'selector'))).toBe(true);
        expect(selects(field(named(objects, 'PodDisruptionBudget', `web-${colour}`), 'spec', 'selector', 'matchLabels'))).toBe(true);
        expect(field(named(objects, 'HorizontalPodAutoscaler', `web-${colour}`), 'spec', 'scaleTargetRef', 'name')).toBe(`web-${colour}`);
      }
    }
  });

  it('spread every Deployment across nodes and zones and cover it with a PodDisruptionBudget', () => {
    for (const overlay of OVERLAYS) {
      const budgets = byKind(rendered[overlay], 'PodDisruptionBudget');
      for (const deployment of byKind(rendered[overlay], 'Deployment').filter((object) => object.metadata.name !== 'postgresql')) {
        const where = `${overlay} ${deployment.metadata.name}`;
        const keys = field<{ topologyKey: string }[]>(deployment, 'spec', 'template', 'spec', 'topologySpreadConstraints').map((spread) => spread.topologyKey);
        expect(keys, where).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
        const podLabels = field<Record<string, string>>(deployment, 'spec', 'template', 'metadata', 'labels');
        const covered = budgets.filter((budget) =>
          Object.entries(field<Record<string, string>>(budget, 'spec', 'selector', 'matchLabels')).every(([key, value]) => podLabels[key] === value),
        );
        expect(covered.length, where).toBe(1);
      }
    }
  });

  it('scale each worker group on the queue depth of exactly the priority classes it runs', () => {
    for (const overlay of OVERLAYS) {
      const served: string[] = [];
      for (const scaled of byKind(rendered[overlay], 'ScaledObject').filter((object) => object.metadata.name.startsWith('worker-'))) {
        const target = named(rendered[overlay], 'Deployment', field(scaled, 'spec', 'scaleTargetRef', 'name'))!;
        expect(target, scaled.metadata.name).toBeDefined();
        const container = field<Container>(target, 'spec', 'template', 'spec', 'containers', 0);
        const concurrency = container.env?.find((variable) => variable.name === 'JOB_CONCURRENCY')?.value ?? '';
        const runs = concurrency
          .split(',')
          .map((pair) => pair.split('='))
          .filter(([, value]) => Number(value) > 0)
          .map(([priority]) => priority!);
        const triggers = field<{ type: string; metadata: { query: string } }[]>(scaled, 'spec', 'triggers');
        const scaledOn = triggers.map((trigger) => /priority="([A-Z]+)"/.exec(trigger.metadata.query)?.[1]);
        expect(scaledOn, scaled.metadata.name).toEqual(runs);
        const slots = concurrency.split(',').reduce((sum, pair) => sum + Number(pair.split('=')[1]), 0);
        const pool = container.env?.find((variable) => variable.name === 'DB_POOL_MAX')?.value;
        expect(Number(pool), `${scaled.metadata.name}: one application connection per job slot, two spare`).toBe(slots + 2);
        for (const trigger of triggers) {
          expect(trigger.type).toBe('prometheus');
          expect(trigger.metadata.query).toMatch(/^max\(villagecompute_storefront_jobs_queue_depth_jobs\{namespace="village-storefront",priority="[A-Z]+"\}\)$/);
        }
        expect(field(scaled, 'spec', 'minReplicaCount'), 'workers sample the depth: one always runs').toBeGreaterThanOrEqual(1);
        served.push(...runs);
      }
      expect(served.sort(), overlay).toEqual(['BULK', 'CRITICAL', 'DEFAULT', 'HIGH', 'LOW']);
      const media = named(rendered[overlay], 'ScaledObject', 'media-worker')!;
      expect(field(media, 'spec', 'scaleTargetRef', 'name')).toBe('media-worker');
    }
  });

  it('serve the platform domain and its subdomains over HTTPS on the wildcard certificate', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      const domain = field<string>(named(objects, 'ConfigMap', 'village-storefront-config'), 'data', 'PLATFORM_DOMAIN');
      expect(domain).not.toMatch(/example\.com$/);
      const ingress = named(objects, 'Ingress', 'web')!;
      const hosts = [domain, `*.${domain}`];
      expect(field<{ host: string }[]>(ingress, 'spec', 'rules').map((rule) => rule.host)).toEqual(hosts);
      expect(field(ingress, 'spec', 'tls')).toEqual([{ hosts, secretName: 'platform-wildcard-tls' }]);
      expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true');
      const paths = field<{ http: { paths: { backend: { service: { name: string } } }[] } }[]>(ingress, 'spec', 'rules').flatMap((rule) => rule.http.paths);
      expect(new Set(paths.map((path) => path.backend.service.name))).toEqual(new Set(['web']));
      const certificate = named(objects, 'Certificate', 'platform-wildcard')!;
      expect(field(certificate, 'spec', 'dnsNames')).toEqual(hosts);
      expect(field(certificate, 'spec', 'secretName')).toBe('platform-wildcard-tls');
      const dnsIssuer = named(objects, 'Issuer', field(certificate, 'spec', 'issuerRef', 'name'))!;
      expect(Object.keys(field(dnsIssuer, 'spec', 'acme', 'solvers', 0))).toEqual(['dns01']);
      expect(Object.keys(field(named(objects, 'Issuer', 'letsencrypt-http01'), 'spec', 'acme', 'solvers', 0))).toEqual(['http01']);
      const server = field<string>(dnsIssuer, 'spec', 'acme', 'server');
      expect(server).toBe(overlay === 'dev' ? 'https://acme-staging-v02.api.letsencrypt.org/directory' : 'https://acme-v02.api.letsencrypt.org/directory');
    }
  });

  it('deny all traffic by default and let egress reach only DNS, PostgreSQL, traces and outside HTTPS/SMTP', () => {
    for (const overlay of OVERLAYS) {
      const policies = byKind(rendered[overlay], 'NetworkPolicy');
      expect(field(named(rendered[overlay], 'NetworkPolicy', 'default-deny'), 'spec')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      for (const policy of policies) {
        for (const rule of field<{ to?: { ipBlock?: { cidr: string; except?: string[] } }[]; ports?: { port: number }[] }[]>(policy, 'spec', 'egress') ?? []) {
          expect(rule.ports?.length, `${policy.metadata.name}: every egress rule names its ports`).toBeGreaterThan(0);
          expect(rule.to?.length, `${policy.metadata.name}: every egress rule names its peers`).toBeGreaterThan(0);
          for (const peer of rule.to ?? []) {
            if (peer.ipBlock?.cidr === '0.0.0.0/0') {
              expect(peer.ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
              expect(rule.ports?.map((port) => port.port).sort()).toEqual([443, 465, 587]);
            }
          }
        }
      }
    }
    const managed = field<{ to: { ipBlock?: { cidr: string } }[] }[]>(named(rendered.prod, 'NetworkPolicy', 'egress-postgresql'), 'spec', 'egress');
    expect(managed[0]!.to[0]!.ipBlock?.cidr).toBe('10.10.0.0/24');
  });

  it('run migrations as a Job with the owner credentials, and give only the migration Job and workers those', () => {
    for (const overlay of OVERLAYS) {
      const job = named(rendered[overlay], 'Job', 'migrate')!;
      expect(field(job, 'spec', 'template', 'spec', 'restartPolicy')).toBe('Never');
      expect(field(job, 'spec', 'backoffLimit')).toBeLessThanOrEqual(3);
      expect(field(job, 'spec', 'activeDeadlineSeconds')).toBeGreaterThan(0);
    }
    const owner = field<{ valueFrom?: { secretKeyRef?: { name: string } } }>(named(rendered.prod, 'Job', 'migrate'), 'spec', 'template', 'spec', 'containers', 0, 'env', 0);
    expect(owner.valueFrom?.secretKeyRef?.name).toBe('village-storefront-db-owner');
    const config = field<Record<string, string>>(named(rendered.prod, 'ConfigMap', 'village-storefront-config'), 'data');
    expect(config.MIGRATE_ON_START).toBe('false');
  });

  it('set profiles, sampling and sizes per environment', () => {
    const config = (overlay: (typeof OVERLAYS)[number]) => field<Record<string, string>>(named(rendered[overlay], 'ConfigMap', 'village-storefront-config'), 'data');
    expect([config('dev').APP_PROFILE, config('staging').APP_PROFILE, config('prod').APP_PROFILE]).toEqual(['dev', 'prod', 'prod']);
    expect([config('dev').OTEL_TRACES_SAMPLER_ARG, config('staging').OTEL_TRACES_SAMPLER_ARG, config('prod').OTEL_TRACES_SAMPLER_ARG]).toEqual(['1', '0.5', '0.1']);
    expect(config('dev').SEED_DEMO).toBe('true');
    expect(config('prod').SEED_DEMO).toBe('false');
    const minWeb = (overlay: (typeof OVERLAYS)[number]) => field<number>(named(rendered[overlay], 'HorizontalPodAutoscaler', 'web-blue'), 'spec', 'minReplicas');
    expect(minWeb('prod'), 'three nodes, three replicas').toBeGreaterThanOrEqual(3);
    expect(minWeb('dev')).toBeLessThan(minWeb('prod'));
    expect(named(rendered.dev, 'Deployment', 'postgresql')).toBeDefined();
    expect(named(rendered.prod, 'Deployment', 'postgresql')).toBeUndefined();
    expect(named(rendered.dev, 'ExternalSecret', 'village-storefront-db-owner')).toBeUndefined();
    expect(field(named(rendered.prod, 'ExternalSecret', 'village-storefront-db-owner'), 'spec', 'secretStoreRef', 'kind')).toBe('ClusterSecretStore');
  });

  it('scrape every web colour and worker, and not the router twice', () => {
    for (const overlay of OVERLAYS) {
      const selector = field<Record<string, string>>(named(rendered[overlay], 'ServiceMonitor', 'village-storefront'), 'spec', 'selector', 'matchLabels');
      const scraped = byKind(rendered[overlay], 'Service')
        .filter((service) => Object.entries(selector).every(([key, value]) => service.metadata.labels?.[key] === value))
        .map((service) => service.metadata.name);
      expect(scraped.sort()).toEqual(['web-blue', 'web-green', 'workers']);
      expect(field(named(rendered[overlay], 'Alertmanager', 'village-storefront'), 'spec', 'configSecret')).toBe('village-storefront-alertmanager-config');
    }
  });

  it('keep the generated monitoring objects up to date with monitoring/', () => {
    expect(syncMonitoringManifests(process.cwd(), true), 'run node scripts/k8s-monitoring.ts').toEqual([]);
  });
});

describe('the container image', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version: string }> };

  it('builds on the Node.js release development runs on, pinned', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(image).toBe(`node:${lock.packages['node_modules/node']!.version}-bookworm-slim`);
    for (const from of dockerfile.matchAll(/^FROM (\S+)/gm)) expect(from[1]).toMatch(/^(\$\{NODE_IMAGE\}|runtime)$/);
  });

  it('ships production dependencies only, runs as an unprivileged user and labels version and commit', () => {
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)].map((match) => match[1]);
    expect(users.at(-1)).toBe('1000:1000');
    for (const stage of dockerfile.split(/^FROM /m).slice(2)) {
      const stageUsers = [...stage.matchAll(/^USER (\S+)$/gm)].map((match) => match[1]);
      if (stageUsers.length) expect(stageUsers.at(-1), stage.split('\n')[0]).toBe('1000:1000');
    }
    expect(dockerfile).toMatch(/org\.opencontainers\.image\.version="\$\{VERSION\}"/);
    expect(dockerfile).toMatch(/org\.opencontainers\.image\.revision="\$\{COMMIT\}"/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "src\/main\.ts"\]$/m);
    expect(dockerfile).toMatch(/^FROM runtime AS media\n(.*\n)*RUN apt-get update[^\n]*\n[^\n]*install -y --no-install-recommends ffmpeg/m);
    expect(dockerfile.trim().split('\n').at(-1)).toBe('FROM runtime AS app');
  });

  it('leaves the development files, secrets and the git history out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['**/node_modules', '.git', '.data', '.env', 'test', 'bench']) expect(ignored).toContain(entry);
  });
});

describe('the monitoring generator', () => {
  const fixture = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'vs-k8s-monitoring-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };
  const generate = (root: string) => {
    syncMonitoringManifests(root, false);
    return render(join(root, OUTPUT_DIR));
  };

  it('renders nothing from no files', () => {
    const root = fixture({});
    try {
      expect(generate(root)).toEqual([]);
      expect(syncMonitoringManifests(root, true)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('wraps rule files, dashboards and the Alertmanager configuration into valid objects', async () => {
    const root = fixture({
      'monitoring/prometheus-rules/background-jobs.rules.yaml':
        'groups:\n  - name: jobs\n    rules:\n      - alert: CriticalQueueDepthHigh\n        expr: max(villagecompute_storefront_jobs_queue_depth_jobs{priority="CRITICAL"}) > 100\n        for: 5m\n        labels: { severity: critical }\n',
      'monitoring/prometheus-rules/platform.rules.yaml': 'groups:\n  - name: platform\n    rules:\n      - record: job:up:sum\n        expr: sum(up)\n',
      'monitoring/grafana-dashboards/background-jobs.json': '{"title":"Background jobs","panels":[]}',
      'monitoring/alertmanager/alertmanager.yml': 'route:\n  receiver: pager\nreceivers:\n  - name: pager\n    pagerduty_configs:\n      - routing_key_file: /etc/alertmanager/secrets/village-storefront-alertmanager-receivers/pagerduty\n',
    });
    try {
      const objects = generate(root);
      expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
        'ConfigMap/grafana-dashboard-background-jobs',
        'Secret/village-storefront-alertmanager-config',
        'PrometheusRule/village-storefront-background-jobs',
        'PrometheusRule/village-storefront-platform',
      ]);
      for (const object of objects) await validateObject(object);
      const rule = named(objects, 'PrometheusRule', 'village-storefront-background-jobs')!;
      expect(field(rule, 'spec', 'groups', 0, 'rules', 0, 'expr')).toBe('max(villagecompute_storefront_jobs_queue_depth_jobs{priority="CRITICAL"}) > 100');
      expect(named(objects, 'ConfigMap', 'grafana-dashboard-background-jobs')?.metadata.labels?.grafana_dashboard).toBe('1');
      expect(syncMonitoringManifests(root, true)).toEqual([]);
      writeFileSync(join(root, 'monitoring/grafana-dashboards/background-jobs.json'), '{"title":"Changed"}');
      expect(syncMonitoringManifests(root, true)).toEqual(['grafana-dashboards.yaml']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a rule file that is not one', () => {
    const root = fixture({ 'monitoring/prometheus-rules/broken.rules.yaml': 'alert: NotAGroup\n' });
    try {
      expect(() => syncMonitoringManifests(root, false)).toThrow(/broken.rules.yaml: not a Prometheus rule file/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
