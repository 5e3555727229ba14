/**
 * The fake API server's object model: the stored object's shape, the resources it serves, the Status error it
 * answers with, and the small helpers every part of the fake uses on plain JSON.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ResourceName } from './validation.js';

export type { ResourceName } from './validation.js';

export type Json = Record<string, unknown>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Json;
  status?: Json;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface ResourceDef {
  readonly resource: ResourceName;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export const RESOURCES: readonly ResourceDef[] = [
  { resource: 'pods', group: '', version: 'v1', kind: 'Pod' },
  { resource: 'services', group: '', version: 'v1', kind: 'Service' },
  { resource: 'configmaps', group: '', version: 'v1', kind: 'ConfigMap' },
  { resource: 'secrets', group: '', version: 'v1', kind: 'Secret' },
  { resource: 'events', group: '', version: 'v1', kind: 'Event' },
  { resource: 'deployments', group: 'apps', version: 'v1', kind: 'Deployment' },
  { resource: 'replicasets', group: 'apps', version: 'v1', kind: 'ReplicaSet' },
  { resource: 'ingresses', group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
  { resource: 'routes', group: 'route.openshift.io', version: 'v1', kind: 'Route' },
];

export function resourceDef(resource: ResourceName): ResourceDef {
  const def = RESOURCES.find((r) => r.resource === resource);
  if (def === undefined) throw new Error(`unknown resource ${resource}`);
  return def;
}

/** `v1` for the core group, `<group>/<version>` otherwise. */
export function apiVersionOf(def: ResourceDef): string {
  return def.group === '' ? 'v1' : `${def.group}/${def.version}`;
}

/** The resource's name as the API server's messages say it: `deployments.apps`, `pods`. */
export function plural(def: ResourceDef): string {
  return def.group === '' ? def.resource : `${def.resource}.${def.group}`;
}

/** An answer the fake sends as a Kubernetes Status of failure. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

export function notFound(def: ResourceDef, name: string): HttpError {
  return new HttpError(404, 'NotFound', `${plural(def)} "${name}" not found`, {
    name,
    group: def.group,
    kind: def.resource,
  });
}

export function namespaceNotFound(namespace: string): HttpError {
  return new HttpError(404, 'NotFound', `namespaces "${namespace}" not found`, {
    name: namespace,
    kind: 'namespaces',
  });
}

/** An answer sent as it is: a proxied backend's, or a 204 without a body or a content type. */
export interface RawAnswer {
  readonly status: number;
  readonly raw: string;
  readonly contentType: string | undefined;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The records of an array field (`spec.containers`, `status.conditions`), or none. */
export function records(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/** A timestamp as the API server writes one: whole seconds, UTC. */
export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A name suffix the way Kubernetes derives them (no vowels), from a hash of `value`. */
export function hash(value: unknown, length: number): string {
  const digest = createHash('sha256').update(JSON.stringify(value)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length] ?? 'b';
  return out;
}

export function randomSuffix(): string {
  return hash(randomUUID(), 5);
}

/** The owner reference of `kind` an object has, if any. */
export function ownerOfKind(object: KubeObject, kind: string): OwnerReference | undefined {
  return (object.metadata.ownerReferences ?? []).find((ref) => ref.kind === kind);
}
