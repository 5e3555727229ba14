/**
 * Deletion as the API server, the garbage collector and the kubelet do it together: an object goes with
 * everything it owns (or its dependents are orphaned), a pod stops for a grace period first, and an owner
 * deleted in the foreground stays, deleting, until its dependents are gone.
 */
import { timestamp, type KubeObject, type ResourceName } from './kube-object.js';
import type { ObjectStore } from './store.js';
import type { Timers } from './timers.js';

export interface DeletionReactions {
  /** A pod stopped counting for its ReplicaSet (stopping or gone): the controller replaces it. */
  podLeft(pod: KubeObject): void;
  /** A pod is gone from the store: its containers' followed logs end. */
  podGone(pod: KubeObject): void;
}

export class GarbageCollector {
  constructor(
    private readonly store: ObjectStore,
    private readonly timers: Timers,
    /** How long a deleted pod stays Terminating; 0: gone at once, and Foreground behaves as Background. */
    private readonly podStopMs: number,
    private readonly reactions: DeletionReactions,
  ) {}

  /**
   * Removes an object and, as the garbage collector does, everything that it owns. With `podStopMs`, a pod first
   * stops for that long, and a `foreground` delete keeps the owner until its dependents are gone.
   */
  remove(object: KubeObject, cascade: boolean, foreground = false): void {
    const resource = this.store.resourceOf(object);
    if (resource === undefined) return;
    const stored = this.store.get(resource, object.metadata.namespace, object.metadata.name);
    if (this.podStopMs > 0 && stored === object) {
      if (resource === 'pods') {
        this.stopPod(object);
        return;
      }
      if (foreground && cascade && this.store.dependentsOf(object).length > 0) {
        if (object.metadata.deletionTimestamp === undefined) {
          this.markDeleting(object, ['foregroundDeletion']);
          for (const dependent of this.store.dependentsOf(object)) this.remove(dependent, true, true);
        }
        if (this.store.dependentsOf(object).length > 0) return;
      }
    }
    this.erase(object, resource, cascade);
  }

  private markDeleting(object: KubeObject, finalizers: string[]): void {
    object.metadata.deletionTimestamp = timestamp();
    if (finalizers.length > 0) object.metadata.finalizers = finalizers;
    this.store.touch(object);
  }

  /** A deleted pod: Terminating for `podStopMs`, then gone; its ReplicaSet replaces it meanwhile, as kubelet and the controller do. */
  private stopPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp !== undefined) return;
    pod.metadata.deletionGracePeriodSeconds = Math.ceil(this.podStopMs / 1000);
    this.markDeleting(pod, []);
    this.reactions.podLeft(pod);
    this.timers.later(() => {
      if (this.store.get('pods', pod.metadata.namespace, pod.metadata.name) === pod) {
        this.erase(pod, 'pods', true);
      }
    }, this.podStopMs);
  }

  private erase(object: KubeObject, resource: ResourceName, cascade: boolean): void {
    if (!this.store.delete(resource, object)) return;
    // A pod's logs end with it (the kubelet closes followed logs when the container stops).
    if (resource === 'pods') this.reactions.podGone(object);
    // The last state, with the resourceVersion of its deletion.
    this.store.emit('DELETED', resource, {
      ...object,
      metadata: { ...object.metadata, resourceVersion: this.store.nextVersion() },
    });
    const uid = object.metadata.uid;
    for (const other of this.store.values()) {
      const refs = other.metadata.ownerReferences ?? [];
      if (!refs.some((ref) => ref.uid === uid)) continue;
      if (cascade) this.remove(other, true);
      else {
        other.metadata.ownerReferences = refs.filter((ref) => ref.uid !== uid);
        this.store.touch(other);
      }
    }
    // A pod deleted on its own is replaced by its ReplicaSet, as the controller would.
    if (resource === 'pods') this.reactions.podLeft(object);
    // Owners deleted in the foreground go once the last of their dependents has.
    for (const ref of object.metadata.ownerReferences ?? []) {
      const owner = this.store.values().find((o) => o.metadata.uid === ref.uid);
      const ownerResource = owner === undefined ? undefined : this.store.resourceOf(owner);
      if (
        owner !== undefined &&
        ownerResource !== undefined &&
        owner.metadata.finalizers?.includes('foregroundDeletion') === true &&
        this.store.dependentsOf(owner).length === 0
      ) {
        this.erase(owner, ownerResource, true);
      }
    }
  }
}
