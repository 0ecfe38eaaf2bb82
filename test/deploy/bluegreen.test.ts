import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/os-tools.ts';
import { parseYaml, validateObject } from './manifests.ts';

/** The cluster the stand-in kubectl answers from (fake-kubectl.sh keeps it as files). */
interface FakeCluster {
  /** The colour the web Service selects; undefined: no web Service yet (first release). */
  live?: string;
  replicas: Record<string, number>;
  annotations: Record<string, string>;
  hpaMin: number;
}

const realKubectl = requireTool('kubectl');
const bin = mkdtempSync(join(tmpdir(), 'vs-fake-kubectl-'));
symlinkSync(resolve('test/deploy/fake-kubectl.sh'), join(bin, 'kubectl'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function writeCluster(dir: string, cluster: FakeCluster): void {
  mkdirSync(join(dir, 'replicas'), { recursive: true });
  mkdirSync(join(dir, 'annotations'), { recursive: true });
  if (cluster.live) writeFileSync(join(dir, 'live'), cluster.live);
  writeFileSync(join(dir, 'hpa-min'), String(cluster.hpaMin));
  for (const [name, count] of Object.entries(cluster.replicas)) writeFileSync(join(dir, 'replicas', name), String(count));
  for (const [key, value] of Object.entries(cluster.annotations)) writeFileSync(join(dir, 'annotations', key.replaceAll('/', '%2F')), value);
}

function readCluster(dir: string): FakeCluster {
  const files = (sub: string) => readdirSync(join(dir, sub)).map((name) => [name, readFileSync(join(dir, sub, name), 'utf8')] as const);
  return {
    ...(existsSync(join(dir, 'live')) ? { live: readFileSync(join(dir, 'live'), 'utf8') } : {}),
    hpaMin: Number(readFileSync(join(dir, 'hpa-min'), 'utf8')),
    replicas: Object.fromEntries(files('replicas').map(([name, count]) => [name, Number(count)])),
    annotations: Object.fromEntries(files('annotations').map(([key, value]) => [key.replaceAll('%2F', '/'), value])),
  };
}

interface Call {
  args: string[];
  applied?: string[];
}

/** Runs deploy/bluegreen.sh against the stand-in kubectl and returns its exit code, output, calls and the cluster after. */
function bluegreen(args: string[], cluster: FakeCluster, fail = '', script = 'deploy/bluegreen.sh') {
  const dir = mkdtempSync(join(bin, 'run-'));
  const state = join(dir, 'state');
  const logPath = join(dir, 'calls.jsonl');
  writeCluster(state, cluster);
  writeFileSync(logPath, '');
  const run = spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      REAL_KUBECTL: realKubectl,
      FAKE_NODE: process.execPath,
      FAKE_HELPER: resolve('test/deploy/fake-kubectl.ts'),
      FAKE_CACHE: bin,
      FAKE_STATE: state,
      FAKE_LOG: logPath,
      FAKE_FAIL: fail,
      POLL_S: '0',
    },
  });
  const calls = readFileSync(logPath, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Call);
  return { status: run.status, stderr: run.stderr, calls, cluster: readCluster(state) };
}

const applied = (calls: Call[]) => calls.flatMap((call) => call.applied ?? []);
const verbs = (calls: Call[]) => calls.map((call) => call.args.slice(0, 3).join(' '));
const steps = (calls: Call[]) =>
  calls.flatMap((call) => {
    if (call.applied?.includes('Job/migrate')) return ['migrate'];
    if (call.applied?.includes('Deployment/web-green') || call.applied?.includes('Deployment/web-blue')) return ['web'];
    if (call.applied?.includes('Deployment/worker-default')) return ['workers'];
    if (call.args[0] === 'patch') return ['switch'];
    if (call.args[0] === 'run') return [`smoke ${call.args[call.args.indexOf('scripts/smoke.ts') + 1]}`];
    return [];
  });
const live = (replicas: Record<string, number>): FakeCluster => ({ live: 'blue', replicas, annotations: {}, hpaMin: 3 });

describe('deploy/bluegreen.sh', () => {
  it('passes shellcheck', () => {
    const check = spawnSync(requireTool('shellcheck'), ['deploy/bluegreen.sh', 'deploy/custom-domain.sh', 'test/deploy/fake-kubectl.sh'], { encoding: 'utf8' });
    expect(check.status, check.stdout).toBe(0);
  });

  it('releases to the idle colour: migrations first, smoke test, switch, then the workers; the live colour untouched', () => {
    const run = bluegreen(['deploy', 'deploy/k8s/overlays/prod'], live({ 'web-blue': 4, 'web-green': 0 }));
    expect(run.status, run.stderr).toBe(0);
    expect(steps(run.calls)).toEqual(['migrate', 'web', 'smoke http://web-green:8080', 'switch', 'smoke http://web:8080', 'workers']);
    expect(run.cluster.live).toBe('green');
    expect(run.cluster.replicas['web-green'], 'as many replicas as the live colour had').toBe(4);
    expect(run.cluster.replicas['web-blue'], 'the previous colour stays up for a rollback').toBe(4);
    expect(run.cluster.annotations['village-storefront/previous-color']).toBe('blue');
    expect(run.cluster.annotations['village-storefront/release']).toBe('ghcr.io/villagecompute/village-storefront:0.1.0');
    const objects = applied(run.calls);
    expect(objects.filter((object) => object.endsWith('-blue'))).toEqual([]);
    expect(objects).not.toContain('Service/web');
    expect(objects).toEqual(expect.arrayContaining(['ConfigMap/village-storefront-config', 'Ingress/web', 'ScaledObject/worker-critical', 'Deployment/media-worker']));
    expect(new Set(objects).size, 'each object applied once').toBe(objects.length);
    expect(verbs(run.calls)).toContain('delete job migrate');

    // The smoke pod passes the restricted Pod Security Standard: kubectl run's container (named after the pod)
    // gets the security context through a strategic merge.
    const smoke = run.calls.find((call) => call.args[0] === 'run')!.args;
    const overrides = JSON.parse(smoke.find((arg) => arg.startsWith('--overrides='))!.slice('--overrides='.length));
    expect(smoke).toContain('--override-type=strategic');
    expect(overrides.spec.containers[0].name).toBe(smoke[1]);
    expect(overrides.spec).toMatchObject({ automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    expect(overrides.spec.containers[0]).toMatchObject({
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    });
    expect(smoke).toContain('--labels=app.kubernetes.io/component=smoke,app.kubernetes.io/part-of=village-storefront');
  }, 60_000);

  it('on a first release starts blue and creates the web Service only after blue passed its smoke test', () => {
    const run = bluegreen(['deploy', 'deploy/k8s/overlays/dev'], { replicas: {}, annotations: {}, hpaMin: 1 });
    expect(run.status, run.stderr).toBe(0);
    const order = run.calls.flatMap((call) => (call.applied?.includes('Service/web') ? ['router'] : steps([call])));
    expect(order).toEqual(['migrate', 'web', 'smoke http://web-blue:8080', 'router', 'smoke http://web:8080', 'workers']);
    expect(run.cluster.live).toBe('blue');
    expect(run.cluster.replicas['web-blue']).toBe(1);
    expect(run.cluster.annotations['village-storefront/previous-color']).toBe('none');
  }, 60_000);

  it.each([
    ['migrate', ['migrate']],
    ['rollout', ['migrate', 'web']],
    ['smoke', ['migrate', 'web', 'smoke http://web-green:8080']],
  ])('when %s fails, traffic never moves and the idle colour is stopped again', (fail, expected) => {
    const run = bluegreen(['deploy', 'deploy/k8s/overlays/prod'], live({ 'web-blue': 4, 'web-green': 0 }), fail);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('FAILED');
    expect(steps(run.calls)).toEqual(expected);
    expect(run.cluster.live).toBe('blue');
    expect(run.cluster.replicas['web-green']).toBe(0);
    expect(run.cluster.replicas['web-blue']).toBe(4);
  }, 60_000);

  it('switches traffic back when the smoke test through the web Service fails after the switch', () => {
    const run = bluegreen(['deploy', 'deploy/k8s/overlays/prod'], live({ 'web-blue': 4, 'web-green': 0 }), 'routed-smoke');
    expect(run.status).toBe(1);
    expect(steps(run.calls)).toEqual(['migrate', 'web', 'smoke http://web-green:8080', 'switch', 'smoke http://web:8080', 'switch']);
    expect(run.cluster.live).toBe('blue');
    expect(run.cluster.replicas['web-green']).toBe(0);
  }, 60_000);

  it('rolls the workers back and traffic with them when a worker group does not become ready', () => {
    const run = bluegreen(['deploy', 'deploy/k8s/overlays/prod'], live({ 'web-blue': 4, 'web-green': 0 }), 'worker-rollout');
    expect(run.status).toBe(1);
    expect(verbs(run.calls).filter((verb) => verb.startsWith('rollout undo'))).toEqual([
      'rollout undo deployment',
      'rollout undo deployment',
      'rollout undo deployment',
      'rollout undo deployment',
    ]);
    expect(run.cluster.live).toBe('blue');
  }, 60_000);

  it('rollback sends traffic to the previous colour while it still runs, and refuses once it is retired', () => {
    const back = bluegreen(['rollback'], live({ 'web-blue': 4, 'web-green': 0 }));
    expect(back.status).toBe(1);
    expect(back.stderr).toContain('web-green runs no ready replica');
    const rolled = bluegreen(['rollback'], { ...live({ 'web-blue': 4, 'web-green': 4 }), live: 'green' });
    expect(rolled.status, rolled.stderr).toBe(0);
    expect(rolled.cluster.live).toBe('blue');
    expect(rolled.cluster.annotations['village-storefront/previous-color']).toBe('green');
    const retired = bluegreen(['retire'], rolled.cluster);
    expect(retired.status).toBe(0);
    expect(retired.cluster.replicas).toEqual({ 'web-blue': 4, 'web-green': 0 });
  }, 60_000);
});

describe('deploy/custom-domain.sh', () => {
  const script = (...args: string[]) => spawnSync('bash', ['deploy/custom-domain.sh', ...args], { encoding: 'utf8' });

  it('renders a valid Ingress with an HTTP-01 certificate and the HTTPS redirect for a domain', async () => {
    const run = script('render', 'Shop.Example.org');
    expect(run.status, run.stderr).toBe(0);
    const [ingress] = parseYaml(run.stdout);
    await validateObject(ingress!);
    expect(ingress!.metadata.name).toMatch(/^custom-domain-shop-example-org-[0-9a-f]{10}$/);
    expect(ingress!.metadata.annotations).toMatchObject({
      'cert-manager.io/issuer': 'letsencrypt-http01',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'village-storefront/domain': 'shop.example.org',
    });
    expect(ingress!.spec).toMatchObject({
      tls: [{ hosts: ['shop.example.org'], secretName: `${ingress!.metadata.name}-tls` }],
      rules: [{ host: 'shop.example.org', http: { paths: [{ backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
    });
    const lookalike = parseYaml(script('render', 'shop-example.org').stdout)[0]!;
    expect(lookalike.metadata.name, 'no two domains share an Ingress').not.toBe(ingress!.metadata.name);
  });

  it('refuses what is not a domain name, and applies and removes through kubectl', () => {
    for (const bad of ['not a domain', 'evil.com;rm', '-x.example.org', 'localhost']) expect(script('add', bad).status, bad).toBe(2);
    const added = bluegreen(['add', 'shop.example.org'], live({}), '', 'deploy/custom-domain.sh');
    expect(added.status, added.stderr).toBe(0);
    expect(added.calls.flatMap((call) => call.applied ?? [])).toEqual([expect.stringMatching(/^Ingress\/custom-domain-shop-example-org-/)]);
    const removed = bluegreen(['remove', 'shop.example.org'], live({}), '', 'deploy/custom-domain.sh');
    expect(removed.calls.map((call) => call.args.slice(0, 2).join(' '))).toEqual(['delete ingress', 'delete secret']);
  });
});
