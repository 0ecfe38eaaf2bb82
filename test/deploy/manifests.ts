import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { requireTool } from '../support/os-tools.ts';

/** A Kubernetes object as rendered, typed loosely: tests read nested fields through `field`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}

export const OVERLAYS = ['dev', 'staging', 'prod'] as const;

/** `kubectl kustomize <dir>` (Debian's kubectl), parsed. */
export function render(dir: string): K8sObject[] {
  let output: string;
  try {
    output = execFileSync(requireTool('kubectl'), ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    throw new Error(`kubectl kustomize ${dir} failed: ${failure.stderr || failure.message}`);
  }
  return parseYaml(output);
}

export function parseYaml(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length) throw new Error(document.errors.map((error) => error.message).join('; '));
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** Where each API group's models (and their schema validators) live. */
const MODEL_PACKAGES: Record<string, string> = {
  '': 'kubernetes-models',
  apps: 'kubernetes-models/apps',
  batch: 'kubernetes-models/batch',
  autoscaling: 'kubernetes-models/autoscaling',
  policy: 'kubernetes-models/policy',
  'networking.k8s.io': 'kubernetes-models/networking.k8s.io',
  'cert-manager.io': '@kubernetes-models/cert-manager/cert-manager.io',
  'keda.sh': '@kubernetes-models/keda/keda.sh',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator/monitoring.coreos.com',
  'external-secrets.io': '@kubernetes-models/external-secrets/external-secrets.io',
};

type Model = new (data: K8sObject) => { validate(): void };

/** Validates against the schema of the object's apiVersion and kind; throws naming the object and the failing field. */
export async function validateObject(object: K8sObject): Promise<void> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const modelPackage = MODEL_PACKAGES[group!];
  const label = `${object.kind}/${object.metadata?.name} (${object.apiVersion})`;
  if (!modelPackage) throw new Error(`${label}: no schema known for API group "${group}"`);
  let model: Model | undefined;
  try {
    model = ((await import(`${modelPackage}/${version}/${object.kind}`)) as Record<string, Model>)[object.kind];
  } catch {
    model = undefined;
  }
  if (!model) throw new Error(`${label}: no such kind in ${modelPackage}/${version}`);
  try {
    new model(object).validate();
  } catch (error) {
    throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads a nested field: field(object, 'spec', 'template', 'spec'). */
export function field<T = unknown>(value: unknown, ...path: (string | number)[]): T {
  let current = value;
  for (const key of path) current = current === null || current === undefined ? undefined : (current as Record<string | number, unknown>)[key];
  return current as T;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
}

export interface PodTemplate {
  owner: K8sObject;
  labels: Record<string, string>;
  spec: { containers: Container[]; initContainers?: Container[]; securityContext?: Record<string, unknown>; [key: string]: unknown };
}

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((object) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind))
    .map((owner) => ({ owner, labels: field(owner, 'spec', 'template', 'metadata', 'labels') ?? {}, spec: field(owner, 'spec', 'template', 'spec') }));
}

export const byKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);
export const named = (objects: K8sObject[], kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name);
