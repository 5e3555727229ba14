/**
 * Every Kubernetes API call the driver makes, by API group, resource and verb, derived from the table of the kinds
 * it touches (resources.ts). deploy/kubernetes/role.yaml and the OpenShift template grant exactly these, and the
 * driver's source and a recorded lifecycle make exactly these (test/deploy/role.test.ts).
 * `watch` feeds the cache that reads are served from (cluster-cache.ts; OSHINKO_KUBE_WATCH=false does without it).
 * API discovery (`GET /apis`) is a non-resource URL that every authenticated user may read, so it is not listed.
 * `services/proxy` is how the driver asks each Spark master which workers it has (its web UI's /json/, through the
 * `<cluster>-ui` Service; registration-poller.ts).
 */
import { RESOURCES, type ResourceKind } from './resources.js';

export interface ApiCall {
  readonly group: string;
  readonly resource: string;
  readonly verbs: readonly string[];
}

/** The verbs a row needs: one per operation it has, `list` and `watch` when it is listed. */
function verbsOf(resource: ResourceKind): string[] {
  return [
    resource.create === undefined ? [] : ['create'],
    resource.delete === undefined ? [] : ['delete'],
    resource.get === undefined ? [] : ['get'],
    resource.listed ? ['list'] : [],
    resource.patch === undefined ? [] : ['patch'],
    resource.listed ? ['watch'] : [],
  ].flat();
}

/** The calls the rows of the table need: each row's verbs, and `get` on each of its subresources. */
export function apiCallsOf(resources: readonly ResourceKind[]): ApiCall[] {
  return resources
    .flatMap((resource) => [
      { group: resource.group, resource: resource.plural, verbs: verbsOf(resource) },
      ...resource.subresources.map((subresource) => ({
        group: resource.group,
        resource: `${resource.plural}/${subresource}`,
        verbs: ['get'],
      })),
    ])
    .filter((call) => call.verbs.length > 0);
}

export const KUBERNETES_API_CALLS: readonly ApiCall[] = apiCallsOf(Object.values(RESOURCES));
