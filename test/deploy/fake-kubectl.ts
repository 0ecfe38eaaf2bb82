/**
 * A stand-in for kubectl on PATH, for testing deploy/bluegreen.sh without a cluster. `kustomize` runs the real
 * kubectl (REAL_KUBECTL); every other call is answered from a small cluster state in FAKE_STATE (JSON) and
 * recorded, with the objects an `apply -l` selected, in FAKE_LOG (one JSON line per call). FAKE_FAIL names the
 * step that fails: migrate, rollout (the idle web colour), smoke (against the idle colour's Service),
 * routed-smoke (through the web Service after the switch) or worker-rollout. FAKE_CACHE keeps renderings and
 * their objects' labels between calls, so that each call stays a fast process start.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeCluster {
  /** The colour the web Service selects; undefined: no web Service yet (first release). */
  live?: string;
  replicas: Record<string, number>;
  annotations: Record<string, string>;
  hpaMin: number;
}

const env = (name: string) => process.env[name] ?? '';
const state = JSON.parse(readFileSync(env('FAKE_STATE'), 'utf8')) as FakeCluster;
const save = () => writeFileSync(env('FAKE_STATE'), JSON.stringify(state));
const args = process.argv.slice(2).filter((_arg, index, all) => all[index - 1] !== '-n' && all[index] !== '-n');
const record = (entry: Record<string, unknown>) => appendFileSync(env('FAKE_LOG'), `${JSON.stringify({ args, ...entry })}\n`);
const failing = env('FAKE_FAIL');
const option = (name: string) => args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1) ?? args[args.indexOf(name) + 1];

/** Label selectors as kubectl reads them: k=v, k!=v, !k, k in (a,b), k notin (a,b). */
function matches(selector: string, labels: Record<string, string>): boolean {
  const requirements = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return requirements.every((raw) => {
    const requirement = raw.trim();
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement);
    if (set) {
      const values = set[3]!.split(',').map((value) => value.trim());
      const value = labels[set[1]!];
      return set[2] === 'in' ? value !== undefined && values.includes(value) : value === undefined || !values.includes(value);
    }
    if (requirement.startsWith('!')) return labels[requirement.slice(1)] === undefined;
    const [key, value] = requirement.split(/!?=/);
    return requirement.includes('!=') ? labels[key!] !== value : labels[key!] === value;
  });
}

function exit(code: number, output = ''): never {
  if (output) process.stdout.write(output);
  process.exit(code);
}

const cached = (key: string) => join(env('FAKE_CACHE'), createHash('sha1').update(key).digest('hex'));

/** The objects of a rendering with their labels, parsed once. */
async function objectsOf(text: string): Promise<{ id: string; labels: Record<string, string> }[]> {
  const path = `${cached(text)}.json`;
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  const { parseYaml } = await import('./manifests.ts');
  const objects = parseYaml(text).map((object) => ({ id: `${object.kind}/${object.metadata.name}`, labels: object.metadata.labels ?? {} }));
  writeFileSync(path, JSON.stringify(objects));
  return objects;
}

const [verb, ...rest] = args;
if (verb === 'kustomize') {
  record({});
  const path = `${cached(rest.join(' '))}.yaml`;
  if (!existsSync(path)) writeFileSync(path, execFileSync(env('REAL_KUBECTL'), args, { encoding: 'utf8' }));
  exit(0, readFileSync(path, 'utf8'));
}
if (verb === 'apply') {
  const file = option('-f')!;
  const selected = (await objectsOf(readFileSync(file === '-' ? '/dev/stdin' : file, 'utf8'))).filter((object) => matches(option('-l') ?? '', object.labels));
  record({ applied: selected.map((object) => object.id) });
  if (selected.some((object) => object.id === 'Service/web')) {
    state.live = 'blue';
    save();
  }
  exit(0);
}
record({});
const jsonpath = option('-o')?.replace(/^jsonpath=/, '') ?? '';
const [kind, name] = rest[0]?.includes('/') ? rest[0].split('/') : [rest[0], rest[1]];
switch (verb) {
  case 'get':
    if (kind === 'service' && name === 'web') state.live ? exit(0, state.live) : exit(1, '');
    if (kind === 'deployment' && jsonpath.includes('image')) exit(0, 'ghcr.io/villagecompute/village-storefront:0.1.0');
    if (kind === 'deployment' && jsonpath.includes('readyReplicas')) exit(0, String(state.replicas[name!] ?? 0));
    if (kind === 'deployment') exit(0, String(state.replicas[name!] ?? 0));
    if (kind === 'hpa') exit(0, String(state.hpaMin));
    if (kind === 'configmap') exit(0, 'villagestorefront.dev');
    if (kind === 'job') exit(0, failing === 'migrate' ? 'Failed' : 'SuccessCriteriaMet Complete');
    if (kind === 'endpoints') exit(0, state.live ? '10.42.0.7 10.42.1.9' : '');
    exit(1);
    break;
  case 'scale':
    state.replicas[name!] = Number(option('--replicas'));
    save();
    exit(0);
    break;
  case 'patch':
    state.live = (JSON.parse(option('-p')!) as { spec: { selector: Record<string, string> } }).spec.selector['village-storefront/color'];
    save();
    exit(0);
    break;
  case 'annotate':
    for (const pair of rest.filter((arg) => arg.includes('='))) state.annotations[pair.split('=')[0]!] = pair.split('=').slice(1).join('=');
    save();
    exit(0);
    break;
  case 'rollout': {
    const target = rest[1]?.includes('/') ? rest[1].split('/')[1] : rest[2];
    if (rest[0] === 'status' && failing === 'rollout' && target?.startsWith('web-')) exit(1, `deployment "${target}" exceeded its progress deadline\n`);
    if (rest[0] === 'status' && failing === 'worker-rollout' && target === 'worker-default') exit(1);
    exit(0);
    break;
  }
  case 'run': {
    const url = args[args.indexOf('scripts/smoke.ts') + 1] ?? '';
    if (failing === 'smoke' && url.startsWith('http://web-')) exit(1, '{"check":"ready","ok":false}\n');
    if (failing === 'routed-smoke' && url === 'http://web:8080') exit(1, '{"check":"ready","ok":false}\n');
    exit(0, '{"check":"ready","ok":true}\n');
    break;
  }
  case 'delete':
  case 'logs':
    exit(0);
    break;
  default:
    exit(1, `fake kubectl: unsupported ${args.join(' ')}\n`);
}
