/**
 * Every Kubernetes API call the driver makes, by API group, resource and verb. deploy/kubernetes/role.yaml and the
 * OpenShift template grant exactly these (test/deploy/role.test.ts); keep it in step with the driver's calls.
 * `watch` feeds the cache that reads are served from (cluster-cache.ts; OSHINKO_KUBE_WATCH=false does without it).
 * API discovery (`GET /apis`) is a non-resource URL that every authenticated user may read, so it is not listed.
 * `services/proxy` is how the driver asks each Spark master which workers it has (its web UI's /json/, through the
 * `<cluster>-ui` Service; registration-poller.ts).
 */
export const KUBERNETES_API_CALLS: readonly {
  readonly group: string;
  readonly resource: string;
  readonly verbs: readonly string[];
}[] = [
  { group: 'apps', resource: 'deployments', verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
  { group: '', resource: 'services', verbs: ['create', 'delete', 'list', 'watch'] },
  { group: '', resource: 'pods', verbs: ['list', 'watch'] },
  { group: '', resource: 'pods/log', verbs: ['get'] },
  { group: '', resource: 'services/proxy', verbs: ['get'] },
  { group: '', resource: 'configmaps', verbs: ['get'] },
  { group: '', resource: 'events', verbs: ['list', 'watch'] },
  { group: 'route.openshift.io', resource: 'routes', verbs: ['create', 'delete', 'list', 'watch'] },
  { group: 'networking.k8s.io', resource: 'ingresses', verbs: ['create', 'delete', 'list', 'watch'] },
];
