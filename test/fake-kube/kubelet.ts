/**
 * The one node's kubelet: a pod bound to it creates its containers, then after `podStartMs` runs (an IP, Ready)
 * or fails to pull an image it is told is missing (ErrImagePull, then ImagePullBackOff); the events it records.
 */
import { randomUUID } from 'node:crypto';
import { hash, records, timestamp, type Json, type KubeObject } from './kube-object.js';
import type { ObjectStore } from './store.js';
import type { Timers } from './timers.js';

export interface PodReactions {
  /** A pod's container statuses changed: its Deployment's status follows. */
  statusChanged(pod: KubeObject): void;
}

export class Kubelet {
  /** Images whose pull fails (ErrImagePull, then ImagePullBackOff). */
  readonly missingImages = new Set<string>();
  private podCounter = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly timers: Timers,
    /** Delay before a pod starts (or fails to pull). */
    private readonly podStartMs: number,
    private readonly reactions: PodReactions,
  ) {}

  /** A pod bound to the node: its containers are being created, and it starts after `podStartMs`. */
  accept(pod: KubeObject, containers: readonly Json[]): void {
    pod.status = {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      })),
    };
    this.store.touch(pod);
    this.timers.later(() => {
      this.start(pod.metadata.namespace, pod.metadata.name);
    }, this.podStartMs);
  }

  event(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = timestamp();
    const name = `${pod.metadata.name}.${hash(randomUUID(), 8)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name,
        namespace: pod.metadata.namespace,
        uid: randomUUID(),
        resourceVersion: this.store.nextVersion(),
        creationTimestamp: now,
      },
      involvedObject: {
        kind: 'Pod',
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        uid: pod.metadata.uid,
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'kubelet', host: 'fake-node' },
    };
    this.store.set('events', event);
    this.store.emit('ADDED', 'events', event);
  }

  /** Rewrites each container status of a pod (a new resourceVersion). */
  setContainers(pod: KubeObject, update: (status: Json) => Json): void {
    const status = pod.status ?? {};
    status.containerStatuses = records(status.containerStatuses).map(update);
    pod.status = status;
    this.store.touch(pod);
    this.reactions.statusChanged(pod);
  }

  private start(namespace: string, name: string): void {
    const pod = this.store.get('pods', namespace, name);
    if (pod === undefined) return;
    const containers = records(pod.spec?.containers);
    const missing = containers.find((c) => typeof c.image === 'string' && this.missingImages.has(c.image));
    if (missing !== undefined) {
      this.failPull(pod, String(missing.image));
      return;
    }
    this.podCounter += 1;
    const ip = `10.128.${Math.floor(this.podCounter / 250) % 250}.${(this.podCounter % 250) + 2}`;
    const now = timestamp();
    for (const c of containers) this.event(pod, 'Normal', 'Started', `Started container ${String(c.name)}`);
    pod.status = {
      ...(pod.status ?? {}),
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      hostIP: '192.0.2.10',
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    };
    this.setContainers(pod, (c) => ({
      ...c,
      ready: true,
      started: true,
      imageID: `${String(c.image)}@sha256:${hash(c.image, 16)}`,
      state: { running: { startedAt: now } },
    }));
  }

  private failPull(pod: KubeObject, image: string): void {
    const { namespace, name } = pod.metadata;
    this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": manifest unknown`);
    this.setContainers(pod, (c) => ({
      ...c,
      state: {
        waiting: { reason: 'ErrImagePull', message: `failed to pull image "${image}": manifest unknown` },
      },
    }));
    this.timers.later(() => {
      const current = this.store.get('pods', namespace, name);
      if (current === undefined) return;
      this.event(current, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      this.setContainers(current, (c) => ({
        ...c,
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
      }));
    }, this.podStartMs);
  }
}
