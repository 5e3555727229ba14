/**
 * The fake's etcd: objects by resource, namespace and name, one resourceVersion counter for all of them, and the
 * watch hub that every change is published to.
 */
import { apiVersionOf, clone, RESOURCES, type KubeObject, type ResourceName } from './kube-object.js';
import { selects, type Requirement } from './label-selector.js';
import { WatchHub, type WatchEventType, type WatchSettings, type WatchSource } from './watch-hub.js';

export class ObjectStore implements WatchSource {
  private readonly objects = new Map<string, KubeObject>();
  private version = 1000;
  readonly watches: WatchHub;

  constructor(watchSettings: WatchSettings) {
    this.watches = new WatchHub(watchSettings, this);
  }

  get resourceVersion(): number {
    return this.version;
  }

  get size(): number {
    return this.objects.size;
  }

  nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }

  /** The resourceVersion moves on by one and the watch history is forgotten (see `WatchHub.expire`). */
  expireHistory(): void {
    this.version += 1;
    this.watches.expire();
  }

  resourceOf(object: KubeObject): ResourceName | undefined {
    return RESOURCES.find((r) => r.kind === object.kind && apiVersionOf(r) === object.apiVersion)?.resource;
  }

  get(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(key(resource, namespace, name));
  }

  has(resource: ResourceName, namespace: string, name: string): boolean {
    return this.objects.has(key(resource, namespace, name));
  }

  set(resource: ResourceName, object: KubeObject): void {
    this.objects.set(key(resource, object.metadata.namespace, object.metadata.name), object);
  }

  /** Whether the object was there. */
  delete(resource: ResourceName, object: KubeObject): boolean {
    return this.objects.delete(key(resource, object.metadata.namespace, object.metadata.name));
  }

  values(): KubeObject[] {
    return [...this.objects.values()];
  }

  /** The stored objects (not copies) of a resource in a namespace that a selector selects, by name. */
  select(resource: ResourceName, namespace: string, requirements: readonly Requirement[]): KubeObject[] {
    return this.values()
      .filter((o) => this.resourceOf(o) === resource && o.metadata.namespace === namespace)
      .filter((o) => selects(requirements, o.metadata.labels ?? {}))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Copies of every object of a resource, optionally of one namespace. */
  copies(resource: ResourceName, namespace?: string): KubeObject[] {
    return this.values()
      .filter(
        (o) =>
          this.resourceOf(o) === resource && (namespace === undefined || o.metadata.namespace === namespace),
      )
      .map((o) => clone(o));
  }

  /** Objects whose ownerReferences name `owner`. */
  dependentsOf(owner: KubeObject): KubeObject[] {
    const uid = owner.metadata.uid;
    return this.values().filter((other) =>
      (other.metadata.ownerReferences ?? []).some((ref) => ref.uid === uid),
    );
  }

  podsIn(namespace: string): KubeObject[] {
    return this.values().filter((o) => o.kind === 'Pod' && o.metadata.namespace === namespace);
  }

  emit(type: WatchEventType, resource: ResourceName, object: KubeObject, before?: KubeObject): void {
    this.watches.publish(type, resource, object, before);
  }

  /** Bumps an object changed in place (by a controller) to a new resourceVersion and tells the watches. */
  touch(object: KubeObject): void {
    object.metadata.resourceVersion = this.nextVersion();
    const resource = this.resourceOf(object);
    if (resource !== undefined) this.emit('MODIFIED', resource, object);
  }
}

function key(resource: string, namespace: string, name: string): string {
  return `${resource}/${namespace}/${name}`;
}
