import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/server/serve-config.js';
import {
  DEPLOY,
  kubernetesManifests,
  kustomization,
  parameterReferences,
  processTemplate,
  serviceLinkEnv,
  template,
  validateKubernetesObject,
  type KubeObject,
  type ServiceSpec,
} from './manifests.js';

/** The deployment files are valid Kubernetes objects that fit together and fit the server they run. */

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: EnvVar[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: { serviceAccountName: string; enableServiceLinks?: boolean; containers: Container[] };
  };
}

function byKind(objects: readonly KubeObject[], kind: string): KubeObject {
  const found = objects.find((object) => object.kind === kind);
  if (found === undefined) throw new Error(`no ${kind}`);
  return found;
}

/** Checks that hold for both the Kubernetes manifests and the processed OpenShift template. */
function checkServerObjects(objects: readonly KubeObject[]): void {
  const deployment = byKind(objects, 'Deployment');
  const service = byKind(objects, 'Service');
  const account = byKind(objects, 'ServiceAccount');
  const role = byKind(objects, 'Role');
  const binding = byKind(objects, 'RoleBinding') as KubeObject & {
    roleRef: { kind: string; name: string };
    subjects: { kind: string; name: string }[];
  };
  const spec = deployment.spec as DeploymentSpec;
  const pod = spec.template.spec;
  const [container] = pod.containers;
  if (container === undefined) throw new Error('no container');

  expect(pod.serviceAccountName).toBe(account.metadata.name);
  expect(binding.roleRef).toMatchObject({ kind: 'Role', name: role.metadata.name });
  expect(binding.subjects).toEqual([
    expect.objectContaining({ kind: 'ServiceAccount', name: account.metadata.name }),
  ]);
  expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);

  // The Service reaches the container's port, and the probes ask the server's health endpoints on it.
  const serviceSpec = service.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
  expect(spec.template.metadata.labels).toMatchObject(serviceSpec.selector);
  const portNames = container.ports.map((port) => port.name);
  expect(portNames).toContain(serviceSpec.ports[0]?.targetPort);
  expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  expect(portNames).toContain('http');
  expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
  expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);

  // Run the server's own config parser on the container's environment, as the kubelet makes it and the image's
  // command reads it: the service links of the namespace's Services first (Service `oshinko` makes OSHINKO_PORT
  // `tcp://<ip>:8080`), unless the pod turns them off; then the container's own variables.
  const env: Record<string, string> =
    pod.enableServiceLinks === false ? {} : serviceLinkEnv(service as KubeObject & { spec: ServiceSpec });
  for (const variable of container.env) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef !== undefined) env[variable.name] = 'secret-from-the-test';
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[variable.name] = 'team-a';
  }
  const config = parseServeConfig({ driver: 'kubernetes', host: '0.0.0.0' }, env);
  expect(config.token).toBe('secret-from-the-test');
  expect(config.namespace).toBe('team-a');
  expect(config.driver).toBe('kubernetes');
  expect(container.ports.find((port) => port.name === 'http')?.containerPort).toBe(config.port);
  const secretRef = container.env.find((variable) => variable.name === 'OSHINKO_TOKEN')?.valueFrom
    ?.secretKeyRef;
  expect(secretRef).toEqual({ name: 'oshinko-token', key: 'token' });
}

describe('deploy/kubernetes', () => {
  const manifests = kubernetesManifests();

  it.each(manifests.map(({ file, object }) => [`${file}: ${object.kind}`, object] as const))(
    '%s is valid against the official Kubernetes schema',
    async (_name, object) => {
      expect(await validateKubernetesObject(object)).toBe('valid');
      expect(object.metadata.namespace).toBeUndefined();
    },
  );

  it('has every object the server needs, fitting together', () => {
    const objects = manifests.map(({ object }) => object);
    expect(objects.map((object) => object.kind).sort()).toEqual([
      'Deployment',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    checkServerObjects(objects);
  });

  it('is applied by its kustomization, which sets one namespace everywhere', () => {
    const kustomize = kustomization();
    expect([...kustomize.resources].sort()).toEqual([...new Set(manifests.map(({ file }) => file))].sort());
    // The subject names no namespace: kustomize gives it the kustomization's namespace (whatever a user sets
    // there), and RBAC reads a ServiceAccount subject without one as the RoleBinding's own. A namespace written
    // here stays as written when the kustomization's changes, and the Role then goes to another namespace's account.
    const binding = byKind(
      manifests.map(({ object }) => object),
      'RoleBinding',
    ) as KubeObject & { subjects: { namespace?: string }[] };
    expect(binding.subjects[0]?.namespace).toBeUndefined();
    expect(kustomize.namespace).toMatch(/^[a-z0-9-]+$/);
    const deployment = byKind(
      manifests.map(({ object }) => object),
      'Deployment',
    );
    const image = (deployment.spec as DeploymentSpec).template.spec.containers[0]?.image ?? '';
    expect(kustomize.images.map((entry) => entry.name)).toContain(image.split(':')[0]);
  });

  it('catches a broken manifest (the validation can fail)', async () => {
    const deployment = structuredClone(
      byKind(
        manifests.map(({ object }) => object),
        'Deployment',
      ),
    );
    const container = (deployment.spec as DeploymentSpec).template.spec.containers[0] as unknown as Record<
      string,
      unknown
    >;
    container.ports = [{ name: 'http', containerPort: 'eight thousand' }];
    await expect(validateKubernetesObject(deployment)).rejects.toThrow(/containerPort must be integer/);
  });
});

describe('deploy/openshift/oshinko-template.yaml', () => {
  const tmpl = template();

  it('declares every parameter it uses and uses every parameter it declares', () => {
    expect(tmpl.apiVersion).toBe('template.openshift.io/v1');
    expect(tmpl.kind).toBe('Template');
    const declared = tmpl.parameters.map((parameter) => parameter.name);
    for (const name of declared) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect([...parameterReferences(tmpl)].sort()).toEqual([...declared].sort());
  });

  it('makes the default cluster image a parameter that reaches the server', () => {
    const parameter = tmpl.parameters.find((p) => p.name === 'OSHINKO_CLUSTER_IMAGE');
    expect(parameter).toBeDefined();
    const objects = processTemplate(tmpl, {
      NAMESPACE: 'team-a',
      OSHINKO_CLUSTER_IMAGE: 'quay.io/my-team/spark:3.5.3',
    });
    const container = (byKind(objects, 'Deployment').spec as DeploymentSpec).template.spec.containers[0];
    const variable = container?.env.find((v) => v.name === 'OSHINKO_CLUSTER_IMAGE');
    expect(variable?.value).toBe('quay.io/my-team/spark:3.5.3');
    const config = parseServeConfig(
      { driver: 'kubernetes', host: '0.0.0.0' },
      { OSHINKO_CLUSTER_IMAGE: variable?.value },
    );
    expect(config.defaultImage).toBe('quay.io/my-team/spark:3.5.3');
  });

  it('processes into valid Kubernetes objects that fit together', async () => {
    const objects = processTemplate(tmpl, { NAMESPACE: 'team-a' });
    const unchecked: string[] = [];
    for (const object of objects) {
      if ((await validateKubernetesObject(object)) === undefined) unchecked.push(object.kind);
    }
    // No package of the official OpenShift schemas is available; the Route is checked by hand below.
    expect(unchecked).toEqual(['Route']);
    checkServerObjects(objects);
    const binding = byKind(objects, 'RoleBinding') as KubeObject & { subjects: { namespace: string }[] };
    expect(binding.subjects[0]?.namespace).toBe('team-a');
    const secret = byKind(objects, 'Secret') as KubeObject & { stringData: Record<string, string> };
    expect(secret.metadata.name).toBe('oshinko-token');
    expect(secret.stringData.token).toBe('generated');
  });

  it('exposes the server through a TLS Route to its Service', () => {
    const objects = processTemplate(tmpl, { NAMESPACE: 'team-a' });
    const route = byKind(objects, 'Route') as KubeObject & {
      spec: {
        to: { kind: string; name: string };
        port: { targetPort: string };
        tls: { termination: string };
      };
    };
    expect(route.apiVersion).toBe('route.openshift.io/v1');
    const service = byKind(objects, 'Service') as KubeObject & { spec: { ports: { name: string }[] } };
    expect(route.spec.to).toMatchObject({ kind: 'Service', name: service.metadata.name });
    expect(service.spec.ports.map((port) => port.name)).toContain(route.spec.port.targetPort);
    expect(['edge', 'reencrypt', 'passthrough']).toContain(route.spec.tls.termination);
  });

  it('refuses to process without the namespace', () => {
    expect(() => processTemplate(tmpl, {})).toThrow(/NAMESPACE is required/);
  });
});

describe('deploy/Containerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Containerfile'), 'utf8');

  function instruction(name: string): unknown {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : JSON.parse(line.slice(name.length + 1));
  }

  it('builds in two stages and runs the Kubernetes driver on all interfaces', () => {
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/^RUN npm ci/m);
    expect(text).toMatch(/^RUN npm run build/m);
    expect([...(instruction('ENTRYPOINT') as string[]), ...(instruction('CMD') as string[])]).toEqual([
      'node',
      'bin/oshinko.js',
      'serve',
      '--driver',
      'kubernetes',
      '--host',
      '0.0.0.0',
    ]);
    expect(text).toMatch(/^USER 1001$/m);
    expect(text).toMatch(/^EXPOSE 8080$/m);
  });

  it('copies what bin/oshinko.js needs at run time', () => {
    const copied = [...text.matchAll(/^COPY --from=build \/src\/(\S+) /gm)].map((match) => match[1]);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'node_modules', 'bin', 'dist']));
  });
});
