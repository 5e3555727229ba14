import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';

/** Loading and checking the files of deploy/, shared by the deploy tests. */

export const DEPLOY = fileURLToPath(new URL('../../deploy', import.meta.url));
export const KUBERNETES_DIR = join(DEPLOY, 'kubernetes');
export const TEMPLATE_FILE = join(DEPLOY, 'openshift', 'oshinko-template.yaml');

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export function readYamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message ?? ''}`);
    return document.toJS() as unknown;
  });
}

/** The manifests applied by `kubectl apply -k deploy/kubernetes`, each with the file it came from. */
export function kubernetesManifests(): { file: string; object: KubeObject }[] {
  return readdirSync(KUBERNETES_DIR)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .sort()
    .flatMap((file) =>
      readYamlDocuments(join(KUBERNETES_DIR, file)).map((object) => ({ file, object: object as KubeObject })),
    );
}

export function kustomization(): {
  namespace: string;
  resources: string[];
  images: { name: string; newName: string; newTag: string }[];
} {
  return parse(readFileSync(join(KUBERNETES_DIR, 'kustomization.yaml'), 'utf8')) as ReturnType<
    typeof kustomization
  >;
}

export interface TemplateParameter {
  name: string;
  value?: string;
  required?: boolean;
  generate?: string;
  from?: string;
}

export interface Template extends KubeObject {
  parameters: TemplateParameter[];
  objects: KubeObject[];
  labels?: Record<string, string>;
}

export function template(): Template {
  return parse(readFileSync(TEMPLATE_FILE, 'utf8')) as Template;
}

const PARAMETER_REFERENCE = /\$\{([A-Za-z0-9_]+)\}/g;

/** Every `${NAME}` used in the template's objects. */
export function parameterReferences(tmpl: Template): Set<string> {
  const text = JSON.stringify(tmpl.objects);
  return new Set([...text.matchAll(PARAMETER_REFERENCE)].map((match) => match[1] ?? ''));
}

/**
 * What `oc process` does: substitutes `${NAME}` in every string of every object with the parameter value, and
 * adds the template's labels to each object. Generated parameters get `generated` here.
 */
export function processTemplate(tmpl: Template, values: Record<string, string>): KubeObject[] {
  const resolved = new Map<string, string>();
  for (const parameter of tmpl.parameters) {
    const value = values[parameter.name] ?? parameter.value ?? (parameter.generate ? 'generated' : undefined);
    if (value === undefined || (parameter.required === true && value === '')) {
      throw new Error(`template parameter ${parameter.name} is required`);
    }
    resolved.set(parameter.name, value);
  }
  const substitute = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(PARAMETER_REFERENCE, (whole, name: string) => resolved.get(name) ?? whole);
    }
    if (Array.isArray(value)) return value.map(substitute);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, substitute(inner)]));
    }
    return value;
  };
  return tmpl.objects.map((object) => {
    const out = substitute(object) as KubeObject;
    out.metadata.labels = { ...(tmpl.labels ?? {}), ...(out.metadata.labels ?? {}) };
    return out;
  });
}

type Validatable = new (data: unknown) => { validate(): void };

/**
 * Validates an object against the official Kubernetes OpenAPI schemas that `kubernetes-models` is generated
 * from. Returns undefined for kinds that package does not know (OpenShift's), so callers check those apart.
 */
export async function validateKubernetesObject(object: KubeObject): Promise<'valid' | undefined> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : [undefined, object.apiVersion];
  if (group?.endsWith('.openshift.io') === true) return undefined;
  const module = `kubernetes-models/${group === undefined ? '' : `${group}/`}${version}/${object.kind}`;
  const exports = (await import(module)) as Record<string, Validatable | undefined>;
  const Model = exports[object.kind];
  if (Model === undefined) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
  return 'valid';
}

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** A Role's grants as `group/resource:verb` strings, one per combination. */
export function grants(rules: readonly RbacRule[]): string[] {
  return rules
    .flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`)),
      ),
    )
    .sort();
}

export interface ServiceSpec {
  ports: { name?: string; port: number; protocol?: string }[];
}

/**
 * The variables the kubelet gives every container of a pod for a Service of its namespace (pods have
 * `enableServiceLinks: true` unless they say otherwise), as kubelet's `envvars.FromServices` makes them, with a
 * made-up ClusterIP. Docker's link style gives Service `oshinko` the variable OSHINKO_PORT=tcp://<ip>:<port>.
 */
export function serviceLinkEnv(
  service: KubeObject & { spec: ServiceSpec },
  clusterIP = '10.96.0.10',
): Record<string, string> {
  const prefix = service.metadata.name.toUpperCase().replaceAll('-', '_');
  const [first] = service.spec.ports;
  if (first === undefined) return {};
  const env: Record<string, string> = {
    [`${prefix}_SERVICE_HOST`]: clusterIP,
    [`${prefix}_SERVICE_PORT`]: String(first.port),
  };
  service.spec.ports.forEach((port, index) => {
    const protocol = port.protocol ?? 'TCP';
    const address = `${protocol.toLowerCase()}://${clusterIP}:${port.port}`;
    if (port.name !== undefined) {
      env[`${prefix}_SERVICE_PORT_${port.name.toUpperCase().replaceAll('-', '_')}`] = String(port.port);
    }
    if (index === 0) env[`${prefix}_PORT`] = address;
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    env[portPrefix] = address;
    env[`${portPrefix}_PROTO`] = protocol.toLowerCase();
    env[`${portPrefix}_PORT`] = String(port.port);
    env[`${portPrefix}_ADDR`] = clusterIP;
  });
  return env;
}
