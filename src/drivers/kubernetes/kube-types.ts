/** The Kubernetes objects the driver builds and reads, as plain object types. */
import type * as k8s from '@kubernetes/client-node';

/**
 * The client library's model classes as plain object types: the renderer builds plain objects (no class
 * instances), which is what the API calls serialise anyway.
 */
export type Plain<T> = T extends Date
  ? Date
  : T extends readonly (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

export type V1Container = Plain<k8s.V1Container>;
export type V1Deployment = Plain<k8s.V1Deployment>;
export type V1EnvVar = Plain<k8s.V1EnvVar>;
export type V1Ingress = Plain<k8s.V1Ingress>;
export type V1ObjectMeta = Plain<k8s.V1ObjectMeta>;
export type V1OwnerReference = Plain<k8s.V1OwnerReference>;
export type V1Service = Plain<k8s.V1Service>;
export type V1Volume = Plain<k8s.V1Volume>;
export type V1SecurityContext = Plain<k8s.V1SecurityContext>;
export type V1PodSecurityContext = Plain<k8s.V1PodSecurityContext>;
export type V1VolumeMount = Plain<k8s.V1VolumeMount>;

/** An OpenShift Route (route.openshift.io/v1); the client library has no type for it. */
export interface V1Route {
  apiVersion: 'route.openshift.io/v1';
  kind: 'Route';
  metadata: V1ObjectMeta;
  spec: {
    host?: string;
    to: { kind: 'Service'; name: string; weight?: number };
    port?: { targetPort: string | number };
  };
  status?: { ingress?: { host?: string }[] };
}
