/**
 * The two calls of the stand-in kubectl (fake-kubectl.sh) that need more than a shell: `kustomize` runs the real
 * kubectl (REAL_KUBECTL) and keeps its output in FAKE_CACHE; `apply -f <file> -l <selector>` records which
 * rendered objects the selector picks (labels parsed once per rendering, also cached), and marks blue live when
 * the web Service is created.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (name: string) => process.env[name] ?? '';
const args = process.argv.slice(2);
const record = (entry: Record<string, unknown>) => appendFileSync(env('FAKE_LOG'), `${JSON.stringify({ args, ...entry })}\n`);
const option = (name: string) => args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1) ?? args[args.indexOf(name) + 1];
const cached = (key: string) => join(env('FAKE_CACHE'), createHash('sha1').update(key).digest('hex'));

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

/** The objects of a rendering with their labels, parsed once. */
async function objectsOf(text: string): Promise<{ id: string; labels: Record<string, string> }[]> {
  const path = `${cached(text)}.json`;
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  const { parseYaml } = await import('./manifests.ts');
  const objects = parseYaml(text).map((object) => ({ id: `${object.kind}/${object.metadata.name}`, labels: object.metadata.labels ?? {} }));
  writeFileSync(path, JSON.stringify(objects));
  return objects;
}

if (args[0] === 'kustomize') {
  record({});
  const path = `${cached(args.join(' '))}.yaml`;
  if (!existsSync(path)) writeFileSync(path, execFileSync(env('REAL_KUBECTL'), args, { encoding: 'utf8' }));
  process.stdout.write(readFileSync(path, 'utf8'));
} else if (args[0] === 'apply') {
  const file = option('-f')!;
  const selected = (await objectsOf(readFileSync(file === '-' ? '/dev/stdin' : file, 'utf8'))).filter((object) => matches(option('-l') ?? '', object.labels));
  record({ applied: selected.map((object) => object.id) });
  if (selected.some((object) => object.id === 'Service/web')) writeFileSync(join(env('FAKE_STATE'), 'live'), 'blue');
} else {
  throw new Error(`fake-kubectl.ts handles kustomize and apply, not ${args[0]}`);
}
