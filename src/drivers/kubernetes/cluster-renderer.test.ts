import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../../core/cluster.js';
import { builtinDefaults } from '../../core/cluster-config.js';
import { decodeClusterConfig, encodeClusterConfig } from './config-annotation.js';
import type { V1Deployment } from './kube-types.js';
import {
  ingressHost,
  renderCluster,
  renderMaster,
  type RenderContext,
  type SecondaryObject,
} from './cluster-renderer.js';
import { CONTAINER_SECURITY, STARTUP_SECONDS } from './spark-pod.js';
import { imageCheckContainer } from './image-check.js';
import { CLUSTER_LABEL, CONFIG_ANNOTATION, TYPE_LABEL } from './labels.js';

function spec(overrides: Partial<ClusterSpec['config']> = {}, name = 'spark'): ClusterSpec {
  return {
    name,
    config: { ...builtinDefaults('docker.io/apache/spark:4.0.1'), workerCount: 3, ...overrides },
    imageSource: 'request',
    storedConfig: undefined,
  };
}

const plainKube: RenderContext = { namespace: 'team', routes: false, openshift: false, ingress: undefined };
const openshift: RenderContext = { namespace: 'team', routes: true, openshift: true, ingress: undefined };

function find(objects: readonly SecondaryObject[], kind: string, name: string) {
  const object = objects.find((o) => o.kind === kind && o.body.metadata?.name === name);
  if (object === undefined) throw new Error(`no ${kind} ${name}`);
  return object;
}

describe('renderMaster', () => {
  it('runs the Spark master daemon explicitly, in the requested image, with upstream labels and env', () => {
    const master = renderMaster(spec({ sparkImage: 'quay.io/me/spark:3.5.3' }), plainKube);
    expect(master.metadata?.name).toBe('spark-m');
    expect(master.metadata?.namespace).toBe('team');
    expect(master.metadata?.labels).toMatchObject({
      [CLUSTER_LABEL]: 'spark',
      [TYPE_LABEL]: 'master',
      'app.kubernetes.io/name': 'spark',
      'app.kubernetes.io/instance': 'spark',
      'app.kubernetes.io/component': 'master',
      'app.kubernetes.io/managed-by': 'oshinko',
    });
    expect(master.metadata?.ownerReferences).toBeUndefined();
    expect(master.spec?.replicas).toBe(1);
    expect(master.spec?.strategy?.type).toBe('Recreate');
    expect(master.spec?.selector.matchLabels).toEqual({ [CLUSTER_LABEL]: 'spark', [TYPE_LABEL]: 'master' });
    const container = master.spec?.template.spec?.containers[0];
    expect(container?.image).toBe('quay.io/me/spark:3.5.3');
    expect(container?.command).toBeUndefined();
    expect(container?.args).toEqual([
      '/opt/spark/bin/spark-class',
      'org.apache.spark.deploy.master.Master',
      '--host',
      '$(POD_IP)',
      '--port',
      '7077',
      '--webui-port',
      '8080',
    ]);
    expect(container?.env).toContainEqual({ name: 'OSHINKO_SPARK_CLUSTER', value: 'spark' });
    expect(container?.env).toContainEqual({
      name: 'POD_IP',
      valueFrom: { fieldRef: { fieldPath: 'status.podIP' } },
    });
    expect(container?.ports?.map((p) => p.containerPort)).toEqual([7077, 8080]);
    expect(container?.readinessProbe?.httpGet?.port).toBe(8080);
    expect(container?.livenessProbe?.tcpSocket?.port).toBe(7077);
    expect(container?.volumeMounts).toBeUndefined();
  });

  it('checks the image in an init container of the master pod, and gives each daemon a time to serve', () => {
    const master = renderMaster(spec({ sparkImage: 'quay.io/me/spark:3.5.3' }), plainKube);
    const pod = master.spec?.template.spec;
    expect(pod?.initContainers).toEqual([
      { ...imageCheckContainer('quay.io/me/spark:3.5.3'), securityContext: CONTAINER_SECURITY },
    ]);
    // With the master's resources, when it has any: its JVM starts in the check too.
    const limited = renderMaster(spec({ masterResources: { memory: '1Gi' } }), plainKube);
    expect(limited.spec?.template.spec?.initContainers?.[0]?.resources).toEqual({
      requests: { memory: '1Gi' },
      limits: { memory: '1Gi' },
    });
    const container = pod?.containers[0];
    expect(container?.startupProbe).toMatchObject({
      httpGet: { path: '/', port: 8080 },
      failureThreshold: 24,
    });
    expect(
      (container?.startupProbe?.periodSeconds ?? 0) * (container?.startupProbe?.failureThreshold ?? 0),
    ).toBe(STARTUP_SECONDS);
    // The end of the log becomes the termination message of a daemon that fails: its status can quote it.
    expect(container?.terminationMessagePolicy).toBe('FallbackToLogsOnError');
    const workers = renderCluster(spec(), plainKube, 'uid').secondary.find(
      (o): o is { kind: 'Deployment'; body: V1Deployment } => o.kind === 'Deployment',
    )?.body;
    expect(workers?.spec?.template.spec?.initContainers).toBeUndefined();
    expect(workers?.spec?.template.spec?.containers[0]?.startupProbe?.httpGet?.port).toBe(8081);
  });

  it('records the effective config, image source and stored config in the oshinko-config annotation', () => {
    const withStored: ClusterSpec = { ...spec(), imageSource: 'stored-config', storedConfig: 'small' };
    const master = renderMaster(withStored, plainKube);
    const text = master.metadata?.annotations?.[CONFIG_ANNOTATION];
    expect(JSON.parse(text ?? '')).toEqual({
      name: 'small',
      masterCount: 1,
      workerCount: 3,
      sparkMasterConfig: '',
      sparkWorkerConfig: '',
      sparkImage: 'docker.io/apache/spark:4.0.1',
      exposeWebUI: 'true',
      metrics: 'false',
      imageSource: 'stored-config',
      runAsUser: 185,
    });
    expect(decodeClusterConfig(text)).toEqual({
      config: { ...withStored.config, runAsUser: 185 },
      imageSource: 'stored-config',
      storedConfig: 'small',
    });
  });

  it('mounts the master Spark config ConfigMap where upstream did and says so in the env', () => {
    const master = renderMaster(spec({ sparkMasterConfig: 'master-conf' }), plainKube);
    const pod = master.spec?.template.spec;
    expect(pod?.volumes).toEqual([{ name: 'spark-config', configMap: { name: 'master-conf' } }]);
    expect(pod?.containers[0]?.volumeMounts).toEqual([
      { name: 'spark-config', mountPath: '/etc/oshinko-spark-configs', readOnly: true },
    ]);
    expect(pod?.containers[0]?.env).toContainEqual({
      name: 'UPDATE_SPARK_CONF_DIR',
      value: '/etc/oshinko-spark-configs',
    });
    expect(pod?.containers[0]?.env).toContainEqual({
      name: 'SPARK_CONF_DIR',
      value: '/etc/oshinko-spark-configs',
    });
  });
});

describe('renderCluster', () => {
  it('renders workers, both services and a Route on OpenShift, all owned by the master', () => {
    const { secondary } = renderCluster(spec({ sparkImage: 'quay.io/me/spark:1' }), openshift, 'uid-1');
    expect(secondary.map((o) => `${o.kind} ${o.body.metadata?.name ?? ''}`)).toEqual([
      'Deployment spark-w',
      'Service spark',
      'Service spark-ui',
      'Route spark-ui-route',
    ]);
    for (const object of secondary) {
      expect(object.body.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'spark-m',
          uid: 'uid-1',
          controller: false,
          blockOwnerDeletion: true,
        },
      ]);
      expect(object.body.metadata?.labels?.[CLUSTER_LABEL]).toBe('spark');
    }
    const worker = find(secondary, 'Deployment', 'spark-w');
    if (worker.kind !== 'Deployment') throw new Error('not a deployment');
    expect(worker.body.spec?.replicas).toBe(3);
    const container = worker.body.spec?.template.spec?.containers[0];
    expect(container?.image).toBe('quay.io/me/spark:1');
    expect(container?.command).toBeUndefined();
    expect(container?.args).toEqual([
      '/opt/spark/bin/spark-class',
      'org.apache.spark.deploy.worker.Worker',
      '--host',
      '$(POD_IP)',
      '--webui-port',
      '8081',
      'spark://spark:7077',
    ]);
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: 'SPARK_MASTER_ADDRESS', value: 'spark://spark:7077' },
        { name: 'SPARK_MASTER_UI_ADDRESS', value: 'http://spark-ui:8080' },
        // After a master restart the worker reconnects to the Service it was started with, not the old pod's IP.
        { name: 'SPARK_WORKER_OPTS', value: '-Dspark.worker.preferConfiguredMasterAddress=true' },
      ]),
    );
    const master = find(secondary, 'Service', 'spark');
    if (master.kind !== 'Service') throw new Error('not a service');
    expect(master.body.spec?.ports).toEqual([
      { name: 'spark-master', port: 7077, targetPort: 7077, protocol: 'TCP' },
    ]);
    expect(master.body.spec?.selector).toEqual({ [CLUSTER_LABEL]: 'spark', [TYPE_LABEL]: 'master' });
    const ui = find(secondary, 'Service', 'spark-ui');
    if (ui.kind !== 'Service') throw new Error('not a service');
    expect(ui.body.spec?.ports?.[0]?.port).toBe(8080);
    const route = find(secondary, 'Route', 'spark-ui-route');
    if (route.kind !== 'Route') throw new Error('not a route');
    expect(route.body.spec.to).toEqual({ kind: 'Service', name: 'spark-ui', weight: 100 });
  });

  it('makes no Route when the web UI is not exposed, and no Ingress on Kubernetes unless configured', () => {
    expect(
      renderCluster(spec({ exposeWebUI: false }), openshift, 'u').secondary.map((o) => o.kind),
    ).not.toContain('Route');
    const kinds = renderCluster(spec(), plainKube, 'u').secondary.map((o) => o.kind);
    expect(kinds).not.toContain('Route');
    expect(kinds).not.toContain('Ingress');
  });

  it('makes an Ingress on plain Kubernetes when a domain is configured', () => {
    const context: RenderContext = {
      ...plainKube,
      ingress: { domain: 'apps.example.com', className: 'nginx' },
    };
    const ingress = find(renderCluster(spec(), context, 'u').secondary, 'Ingress', 'spark-ui');
    if (ingress.kind !== 'Ingress') throw new Error('not an ingress');
    expect(ingress.body.spec?.ingressClassName).toBe('nginx');
    expect(ingress.body.spec?.rules?.[0]?.host).toBe('spark-ui-team.apps.example.com');
    expect(ingress.body.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('spark-ui');
    expect(ingressHost('a'.repeat(54), 'n'.repeat(20), 'example.com')).toBe(
      `${'a'.repeat(54)}-ui.example.com`,
    );
  });

  it('adds the metrics service and env when metrics are on', () => {
    const { master, secondary } = renderCluster(spec({ metrics: 'prometheus' }), plainKube, 'u');
    const metrics = find(secondary, 'Service', 'spark-metrics');
    if (metrics.kind !== 'Service') throw new Error('not a service');
    expect(metrics.body.spec?.ports?.[0]).toMatchObject({ port: 7777, targetPort: 8080 });
    expect(master.spec?.template.spec?.containers[0]?.env).toContainEqual({
      name: 'SPARK_METRICS_ON',
      value: 'prometheus',
    });
    const jolokia = find(
      renderCluster(spec({ metrics: 'jolokia' }), plainKube, 'u').secondary,
      'Service',
      'spark-metrics',
    );
    if (jolokia.kind !== 'Service') throw new Error('not a service');
    expect(jolokia.body.spec?.ports?.[0]).toMatchObject({ port: 7777, targetPort: 7777 });
    expect(
      renderCluster(spec(), plainKube, 'u').secondary.some((o) => o.body.metadata?.name === 'spark-metrics'),
    ).toBe(false);
  });

  it('makes every pod pass the restricted Pod Security Standard, as UID 185 on Kubernetes', () => {
    const rendered = renderCluster(spec({ metrics: 'jolokia' }), plainKube, 'uid-1');
    const deployments = [
      rendered.master,
      ...rendered.secondary.flatMap((o) => (o.kind === 'Deployment' ? [o.body] : [])),
    ];
    expect(deployments).toHaveLength(2);
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec;
      // A pod-level UID covers the image check too: the official images' USER is a name the kubelet cannot check.
      expect(pod?.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 185,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod?.securityContext?.runAsGroup).toBeUndefined();
      expect(pod?.securityContext?.fsGroup).toBeUndefined();
      for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          runAsNonRoot: true,
        });
        expect(container.securityContext?.runAsUser).toBeUndefined();
        expect(container.securityContext?.privileged).toBeUndefined();
      }
      expect(pod?.hostNetwork).toBeUndefined();
      expect(pod?.volumes?.some((v) => v.hostPath !== undefined) ?? false).toBe(false);
    }
  });

  it('sets no UID on OpenShift, where the security context constraints assign one', () => {
    const rendered = renderCluster(spec(), openshift, 'uid-1');
    const workers = find(rendered.secondary, 'Deployment', 'spark-w');
    if (workers.kind !== 'Deployment') throw new Error('not a deployment');
    for (const deployment of [rendered.master, workers.body]) {
      expect(deployment.spec?.template.spec?.securityContext).toEqual({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      const annotation = deployment.metadata?.annotations?.[CONFIG_ANNOTATION];
      expect(decodeClusterConfig(annotation)?.config.runAsUser).toBe('image');
    }
  });

  it("runs as the cluster's own UID, or sets none when it says image, on either platform", () => {
    for (const context of [plainKube, openshift]) {
      const own = renderCluster(spec({ runAsUser: 1001 }), context, 'u').master;
      expect(own.spec?.template.spec?.securityContext?.runAsUser).toBe(1001);
      expect(decodeClusterConfig(own.metadata?.annotations?.[CONFIG_ANNOTATION])?.config.runAsUser).toBe(
        1001,
      );
      const image = renderCluster(spec({ runAsUser: 'image' }), context, 'u').master;
      expect(image.spec?.template.spec?.securityContext?.runAsUser).toBeUndefined();
    }
  });

  it('gives each role its resources as requests and limits, and workers offer what they were given', () => {
    const rendered = renderCluster(
      spec({ masterResources: { memory: '1Gi' }, workerResources: { cpu: '1', memory: '1Gi' } }),
      plainKube,
      'uid-1',
    );
    const master = rendered.master.spec?.template.spec?.containers[0];
    expect(master?.resources).toEqual({ requests: { memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(master?.env).toContainEqual({ name: 'SPARK_DAEMON_MEMORY', value: '768m' });
    const workers = find(rendered.secondary, 'Deployment', 'spark-w');
    if (workers.kind !== 'Deployment') throw new Error('not a deployment');
    const worker = workers.body.spec?.template.spec?.containers[0];
    expect(worker?.resources).toEqual({
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    expect(worker?.env).toEqual(
      expect.arrayContaining([
        { name: 'SPARK_WORKER_CORES', value: '1' },
        { name: 'SPARK_WORKER_MEMORY', value: '409m' },
        { name: 'SPARK_DAEMON_MEMORY', value: '256m' },
      ]),
    );
    // Recorded, and read back, with the rest of the config.
    const annotation = rendered.master.metadata?.annotations?.[CONFIG_ANNOTATION];
    expect(decodeClusterConfig(annotation)?.config).toMatchObject({
      masterResources: { memory: '1Gi' },
      workerResources: { cpu: '1', memory: '1Gi' },
    });
    // Without resources: none set, nothing offered but what Spark finds.
    const plain = renderCluster(spec(), plainKube, 'uid-1');
    expect(plain.master.spec?.template.spec?.containers[0]?.resources).toBeUndefined();
    expect(JSON.stringify(plain)).not.toMatch(/SPARK_WORKER_CORES|SPARK_WORKER_MEMORY|SPARK_DAEMON_MEMORY/);
  });

  it('sets the pull policy on every container only when asked, and records it', () => {
    const rendered = renderCluster(spec({ imagePullPolicy: 'Always' }), plainKube, 'uid-1');
    const workers = find(rendered.secondary, 'Deployment', 'spark-w');
    if (workers.kind !== 'Deployment') throw new Error('not a deployment');
    expect(rendered.master.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe('Always');
    expect(workers.body.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe('Always');
    expect(
      decodeClusterConfig(rendered.master.metadata?.annotations?.[CONFIG_ANNOTATION])?.config.imagePullPolicy,
    ).toBe('Always');
    // Unset: Kubernetes' own default applies (the API server fills it in).
    const plain = renderCluster(spec(), plainKube, 'uid-1');
    expect(plain.master.spec?.template.spec?.containers[0]?.imagePullPolicy).toBeUndefined();
  });

  it('puts the pod settings on every pod, the user env after ours, and records them', () => {
    const settings = {
      nodeSelector: { disk: 'ssd' },
      tolerations: [
        { key: 'dedicated', operator: 'Equal' as const, value: 'spark', effect: 'NoSchedule' as const },
      ],
      imagePullSecrets: ['regcred', 'mirror'],
      labels: { team: 'data' },
      annotations: { 'example.com/owner': 'me' },
      env: [
        { name: 'MODE', value: 'fast' },
        { name: 'TOKEN', secretKeyRef: { name: 'spark-secrets', key: 'token' } },
      ],
    };
    const rendered = renderCluster(spec(settings), plainKube, 'uid-1');
    const workers = find(rendered.secondary, 'Deployment', 'spark-w');
    if (workers.kind !== 'Deployment') throw new Error('not a deployment');
    for (const deployment of [rendered.master, workers.body]) {
      const template = deployment.spec?.template;
      expect(template?.spec?.nodeSelector).toEqual({ disk: 'ssd' });
      expect(template?.spec?.tolerations).toEqual(settings.tolerations);
      expect(template?.spec?.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'mirror' }]);
      expect(template?.metadata?.labels).toMatchObject({ team: 'data', [CLUSTER_LABEL]: 'spark' });
      expect(template?.metadata?.annotations).toEqual({ 'example.com/owner': 'me' });
      const env = template?.spec?.containers[0]?.env ?? [];
      expect(env.slice(-2)).toEqual([
        { name: 'MODE', value: 'fast' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'spark-secrets', key: 'token' } } },
      ]);
      // The selector still finds the pods: ours are not replaced by the user's.
      expect(deployment.spec?.selector.matchLabels).toMatchObject({ [CLUSTER_LABEL]: 'spark' });
    }
    expect(
      decodeClusterConfig(rendered.master.metadata?.annotations?.[CONFIG_ANNOTATION])?.config,
    ).toMatchObject(settings);
  });

  it('keeps 0 workers as 0', () => {
    const worker = find(
      renderCluster(spec({ workerCount: 0 }), plainKube, 'u').secondary,
      'Deployment',
      'spark-w',
    );
    if (worker.kind !== 'Deployment') throw new Error('not a deployment');
    expect(worker.body.spec?.replicas).toBe(0);
  });
});

describe('decodeClusterConfig', () => {
  it('ignores annotations that are not ours', () => {
    expect(decodeClusterConfig(undefined)).toBeUndefined();
    expect(decodeClusterConfig('not json')).toBeUndefined();
    expect(decodeClusterConfig('[]')).toBeUndefined();
    expect(decodeClusterConfig('{"workerCount": 2}')).toBeUndefined();
  });

  it('round-trips', () => {
    const s = spec({ metrics: 'jolokia', exposeWebUI: false });
    expect(decodeClusterConfig(encodeClusterConfig(s))).toEqual({
      config: s.config,
      imageSource: 'request',
      storedConfig: undefined,
    });
  });
});
