/**
 * The API server's REST semantics on the store: list, get, create, replace, patch and delete, with its type and
 * name checks, validation (`validation.ts`), optimistic concurrency on resourceVersions, the fields it defaults,
 * and `generation`. What a write sets off (controllers) is the `changed` reaction; deletes go to the collector.
 */
import { randomUUID } from 'node:crypto';
import type { GarbageCollector } from './garbage-collector.js';
import {
  apiVersionOf,
  clone,
  HttpError,
  isRecord,
  namespaceNotFound,
  notFound,
  plural,
  randomSuffix,
  timestamp,
  type Json,
  type KubeObject,
  type ObjectMeta,
  type ResourceDef,
} from './kube-object.js';
import { parseLabelSelector } from './label-selector.js';
import { applyPatch } from './patch.js';
import type { ObjectStore } from './store.js';
import { validateObject, type Cause } from './validation.js';

export interface WriteReactions {
  /** After an object is created or written by a client: the controllers' turn. */
  changed(def: ResourceDef, object: KubeObject): void;
}

export class ObjectApi {
  constructor(
    private readonly store: ObjectStore,
    private readonly namespaces: ReadonlySet<string>,
    private readonly collector: GarbageCollector,
    private readonly reactions: WriteReactions,
  ) {}

  list(def: ResourceDef, namespace: string, labelSelector: string | undefined): Json {
    const requirements = labelSelector === undefined ? [] : parseLabelSelector(labelSelector);
    return {
      kind: `${def.kind}List`,
      apiVersion: apiVersionOf(def),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items: this.store.select(def.resource, namespace, requirements),
    };
  }

  get(def: ResourceDef, namespace: string, name: string): KubeObject {
    const object = this.store.get(def.resource, namespace, name);
    if (object === undefined) throw notFound(def, name);
    return clone(object);
  }

  create(def: ResourceDef, namespace: string, body: Json): KubeObject {
    checkTypeMeta(def, body);
    if (!this.namespaces.has(namespace)) throw namespaceNotFound(namespace);
    const meta = isRecord(body.metadata) ? body.metadata : {};
    if (meta.namespace !== undefined && meta.namespace !== namespace) {
      throw new HttpError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
      throw new HttpError(500, 'InternalError', 'resourceVersion should not be set on objects to be created');
    }
    let name = typeof meta.name === 'string' ? meta.name : '';
    if (name === '' && typeof meta.generateName === 'string') name = `${meta.generateName}${randomSuffix()}`;
    const causes = validateObject(def.resource, { ...body, metadata: { ...meta, name } });
    if (causes.length > 0) throw invalid(def, name, causes);
    if (this.store.has(def.resource, namespace, name)) {
      throw new HttpError(409, 'AlreadyExists', `${plural(def)} "${name}" already exists`, {
        name,
        group: def.group,
        kind: def.resource,
      });
    }
    const object: KubeObject = {
      ...clone(body),
      apiVersion: apiVersionOf(def),
      kind: def.kind,
      metadata: {
        ...(clone(meta) as Partial<ObjectMeta>),
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: this.store.nextVersion(),
        creationTimestamp: timestamp(),
        ...(def.resource === 'deployments' || def.resource === 'replicasets' ? { generation: 1 } : {}),
      },
    };
    delete object.status;
    this.defaults(def, object);
    this.store.set(def.resource, object);
    this.store.emit('ADDED', def.resource, object);
    this.reactions.changed(def, object);
    return clone(this.store.get(def.resource, namespace, name) ?? object);
  }

  replace(def: ResourceDef, namespace: string, name: string, body: Json): KubeObject {
    checkTypeMeta(def, body);
    const current = this.store.get(def.resource, namespace, name);
    if (current === undefined) throw notFound(def, name);
    const meta = isRecord(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== name) {
      throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    if (
      typeof meta.resourceVersion === 'string' &&
      meta.resourceVersion !== '' &&
      meta.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw new HttpError(409, 'Conflict', conflictMessage(def, name), {
        name,
        group: def.group,
        kind: def.resource,
      });
    }
    return this.update(def, current, body);
  }

  patch(def: ResourceDef, namespace: string, name: string, body: unknown, contentType: string): KubeObject {
    const current = this.store.get(def.resource, namespace, name);
    if (current === undefined) throw notFound(def, name);
    const patched = applyPatch(current, body, contentType, def.resource === 'routes');
    if (!isRecord(patched)) throw new HttpError(422, 'Invalid', 'the patched object is not an object');
    const meta = isRecord(patched.metadata) ? patched.metadata : {};
    if (meta.resourceVersion !== current.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', conflictMessage(def, name));
    }
    return this.update(def, current, patched);
  }

  delete(def: ResourceDef, namespace: string, name: string, policy: string): Json {
    const object = this.store.get(def.resource, namespace, name);
    if (object === undefined) throw notFound(def, name);
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw new HttpError(422, 'Invalid', `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}`);
    }
    this.collector.remove(object, policy !== 'Orphan', policy === 'Foreground');
    const stays = this.store.get(def.resource, namespace, name);
    // As the API server: an object that waits for its dependents (or its grace period) comes back, deleting.
    if (stays !== undefined) return clone(stays);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: def.group, kind: def.resource, uid: object.metadata.uid },
    };
  }

  private update(def: ResourceDef, current: KubeObject, body: Json): KubeObject {
    const meta = isRecord(body.metadata) ? body.metadata : {};
    const causes = validateObject(def.resource, {
      ...body,
      metadata: { ...meta, name: current.metadata.name },
    });
    if (def.resource === 'deployments' || def.resource === 'replicasets') {
      const before = JSON.stringify(current.spec?.selector);
      const after = JSON.stringify((isRecord(body.spec) ? body.spec : {}).selector);
      if (before !== after)
        causes.push({
          field: 'spec.selector',
          reason: 'FieldValueInvalid',
          message: 'Invalid value: field is immutable',
        });
    }
    if (causes.length > 0) throw invalid(def, current.metadata.name, causes);
    const specChanged = JSON.stringify(current.spec) !== JSON.stringify(body.spec);
    const next: KubeObject = {
      ...clone(body),
      apiVersion: current.apiVersion,
      kind: current.kind,
      metadata: {
        ...(clone(meta) as Partial<ObjectMeta>),
        name: current.metadata.name,
        namespace: current.metadata.namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: this.store.nextVersion(),
        ...(current.metadata.generation === undefined
          ? {}
          : { generation: current.metadata.generation + (specChanged ? 1 : 0) }),
      },
      // Status is the server's: a client write of the main resource does not change it.
      ...(current.status === undefined ? {} : { status: clone(current.status) }),
    };
    this.store.set(def.resource, next);
    this.store.emit('MODIFIED', def.resource, next, current);
    this.reactions.changed(def, next);
    return clone(this.store.get(def.resource, current.metadata.namespace, current.metadata.name) ?? next);
  }

  /** Fields the real API server fills in. */
  private defaults(def: ResourceDef, object: KubeObject): void {
    if (def.resource === 'services') {
      const spec = object.spec ?? {};
      if (spec.clusterIP === undefined) {
        const n = this.store.size;
        spec.clusterIP = `172.30.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
        spec.clusterIPs = [spec.clusterIP];
      }
      spec.type ??= 'ClusterIP';
      object.spec = spec;
    }
    if (def.resource === 'routes') {
      const spec = object.spec ?? {};
      if (typeof spec.host !== 'string' || spec.host === '')
        spec.host = `${object.metadata.name}-${object.metadata.namespace}.apps.fake.test`;
      object.spec = spec;
      object.status = {
        ingress: [
          { host: spec.host, routerName: 'default', conditions: [{ type: 'Admitted', status: 'True' }] },
        ],
      };
    }
    if (def.resource === 'deployments') {
      const spec = object.spec ?? {};
      spec.replicas ??= 1;
      object.spec = spec;
    }
  }
}

function checkTypeMeta(def: ResourceDef, body: Json): void {
  const apiVersion = apiVersionOf(def);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw new HttpError(
      400,
      'BadRequest',
      `the API version in the data (${JSON.stringify(body.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (body.kind !== undefined && body.kind !== def.kind) {
    throw new HttpError(
      400,
      'BadRequest',
      `the kind in the data (${JSON.stringify(body.kind)}) does not match the expected kind (${def.kind})`,
    );
  }
}

function invalid(def: ResourceDef, name: string, causes: readonly Cause[]): HttpError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new HttpError(
    422,
    'Invalid',
    `${def.kind}${def.group === '' ? '' : `.${def.group}`} "${name}" is invalid: ${summary}`,
    {
      name,
      group: def.group,
      kind: def.kind,
      causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    },
  );
}

function conflictMessage(def: ResourceDef, name: string): string {
  return `Operation cannot be fulfilled on ${plural(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
}
