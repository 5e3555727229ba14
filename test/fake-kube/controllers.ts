/**
 * The deployment and replica set controllers and the scheduler, as far as oshinko needs them: a Deployment gets a
 * ReplicaSet per pod template (old ones go), a ReplicaSet keeps its number of pods, a pod is bound to the one
 * node unless an `unschedulable` selector matches it, and a Deployment's status counts its ready pods.
 */
import type { GarbageCollector } from './garbage-collector.js';
import {
  clone,
  hash,
  isRecord,
  ownerOfKind,
  records,
  resourceDef,
  type Json,
  type KubeObject,
  type ResourceDef,
} from './kube-object.js';
import type { Kubelet } from './kubelet.js';
import { parseLabelSelector, selects } from './label-selector.js';
import type { ObjectApi } from './object-api.js';
import type { ObjectStore } from './store.js';

export class Controllers {
  /** Label selectors: pods created while one matches their labels are never scheduled (no node has room). */
  readonly unschedulable = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly api: ObjectApi,
    private readonly collector: GarbageCollector,
    private readonly kubelet: Kubelet,
  ) {}

  /** After a client's write: the controller of the object's kind reconciles it. */
  changed(def: ResourceDef, object: KubeObject): void {
    if (def.resource === 'deployments') this.reconcileDeployment(object);
    else if (def.resource === 'replicasets') this.reconcileReplicaSet(object);
  }

  /** A pod stopped counting for its ReplicaSet: the ReplicaSet makes up for it. */
  podLeft(pod: KubeObject): void {
    const owner = ownerOfKind(pod, 'ReplicaSet');
    const rs =
      owner === undefined ? undefined : this.store.get('replicasets', pod.metadata.namespace, owner.name);
    if (rs !== undefined) this.reconcileReplicaSet(rs);
  }

  /** A pod's status changed: its Deployment's status follows. */
  podChanged(pod: KubeObject): void {
    const rsRef = ownerOfKind(pod, 'ReplicaSet');
    const rs =
      rsRef === undefined ? undefined : this.store.get('replicasets', pod.metadata.namespace, rsRef.name);
    const deploymentRef = rs === undefined ? undefined : ownerOfKind(rs, 'Deployment');
    if (deploymentRef !== undefined) this.updateDeploymentStatus(pod.metadata.namespace, deploymentRef.name);
  }

  private reconcileDeployment(deployment: KubeObject): void {
    // As the deployment controller: a Deployment being deleted only has its status kept up to date.
    if (deployment.metadata.deletionTimestamp !== undefined) {
      this.updateDeploymentStatus(deployment.metadata.namespace, deployment.metadata.name);
      return;
    }
    const spec = deployment.spec ?? {};
    const template = isRecord(spec.template) ? spec.template : {};
    const templateHash = hash(template, 10);
    const { namespace, name } = deployment.metadata;
    const owned = this.store
      .values()
      .filter(
        (o) =>
          o.kind === 'ReplicaSet' &&
          (o.metadata.ownerReferences ?? []).some((ref) => ref.uid === deployment.metadata.uid),
      );
    for (const old of owned) {
      if (old.metadata.labels?.['pod-template-hash'] !== templateHash) this.collector.remove(old, true);
    }
    const rsName = `${name}-${templateHash}`;
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const existing = this.store.get('replicasets', namespace, rsName);
    if (existing === undefined) {
      const templateMeta = isRecord(template.metadata) ? template.metadata : {};
      const labels = {
        ...(isRecord(templateMeta.labels) ? (templateMeta.labels as Record<string, string>) : {}),
        'pod-template-hash': templateHash,
      };
      const selector = isRecord(spec.selector) ? spec.selector : {};
      this.api.create(resourceDef('replicasets'), namespace, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: rsName,
          labels,
          ownerReferences: [controllerRef('Deployment', name, deployment.metadata.uid)],
        },
        spec: {
          replicas,
          selector: {
            matchLabels: {
              ...(isRecord(selector.matchLabels) ? selector.matchLabels : {}),
              'pod-template-hash': templateHash,
            },
          },
          template: { ...template, metadata: { ...templateMeta, labels } },
        },
      });
    } else if (existing.spec?.replicas !== replicas) {
      existing.spec = { ...existing.spec, replicas };
      this.store.touch(existing);
      this.reconcileReplicaSet(existing);
    }
    this.updateDeploymentStatus(deployment.metadata.namespace, deployment.metadata.name);
  }

  /** The pods of a ReplicaSet that count toward its replicas: not those already stopping. */
  private podsOf(owner: KubeObject): KubeObject[] {
    return this.store
      .values()
      .filter(
        (o) =>
          o.kind === 'Pod' &&
          o.metadata.deletionTimestamp === undefined &&
          (o.metadata.ownerReferences ?? []).some((ref) => ref.uid === owner.metadata.uid),
      );
  }

  private reconcileReplicaSet(rs: KubeObject): void {
    const spec = rs.spec ?? {};
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const pods = this.podsOf(rs).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    for (const extra of pods.slice(replicas).reverse()) this.collector.remove(extra, true);
    // A ReplicaSet being deleted starts no pods.
    if (rs.metadata.deletionTimestamp !== undefined) return;
    const template = isRecord(spec.template) ? spec.template : {};
    const templateMeta = isRecord(template.metadata) ? template.metadata : {};
    const podLabels = isRecord(templateMeta.labels) ? (templateMeta.labels as Record<string, string>) : {};
    const schedulable = ![...this.unschedulable].some((selector) =>
      selects(parseLabelSelector(selector), podLabels),
    );
    for (let i = pods.length; i < replicas; i++) {
      const podSpec = clone(isRecord(template.spec) ? template.spec : {});
      const pod = this.api.create(resourceDef('pods'), rs.metadata.namespace, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata.name}-`,
          labels: isRecord(templateMeta.labels) ? templateMeta.labels : {},
          ownerReferences: [controllerRef('ReplicaSet', rs.metadata.name, rs.metadata.uid)],
        },
        spec: { ...podSpec, ...(schedulable ? { nodeName: 'fake-node' } : {}), restartPolicy: 'Always' },
      });
      const stored = this.store.get('pods', pod.metadata.namespace, pod.metadata.name);
      if (stored === undefined) continue;
      if (schedulable) {
        this.kubelet.accept(stored, records(podSpec.containers));
        continue;
      }
      // As the scheduler: no node for it, and an event that says why.
      const message = '0/1 nodes are available: 1 Insufficient cpu.';
      stored.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
      };
      this.store.touch(stored);
      this.kubelet.event(stored, 'Warning', 'FailedScheduling', message);
    }
    const deploymentRef = ownerOfKind(rs, 'Deployment');
    if (deploymentRef !== undefined) this.updateDeploymentStatus(rs.metadata.namespace, deploymentRef.name);
  }

  private updateDeploymentStatus(namespace: string, name: string): void {
    const deployment = this.store.get('deployments', namespace, name);
    if (deployment === undefined) return;
    const pods = this.store.values().filter((o) => {
      if (o.kind !== 'Pod' || o.metadata.namespace !== namespace) return false;
      const rsRef = ownerOfKind(o, 'ReplicaSet');
      const rs = rsRef === undefined ? undefined : this.store.get('replicasets', namespace, rsRef.name);
      return (rs?.metadata.ownerReferences ?? []).some((ref) => ref.uid === deployment.metadata.uid);
    });
    const ready = pods.filter((p) =>
      records(p.status?.conditions).some((c: Json) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    const status = {
      observedGeneration: deployment.metadata.generation,
      replicas: pods.length,
      updatedReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(pods.length - ready > 0 ? { unavailableReplicas: pods.length - ready } : {}),
    };
    // As the deployment controller: a status write (a new resourceVersion, an event) only when it changes.
    if (JSON.stringify(status) === JSON.stringify(deployment.status)) return;
    deployment.status = status;
    this.store.touch(deployment);
  }
}

function controllerRef(kind: string, name: string, uid: string): Json {
  return { apiVersion: 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true };
}
