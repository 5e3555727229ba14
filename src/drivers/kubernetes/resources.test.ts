import { describe, expect, it } from 'vitest';
import { KUBERNETES_API_CALLS, apiCallsOf } from './api-calls.js';
import { RESOURCES, WRITTEN, collectionPath, type ResourceKind } from './resources.js';

describe('the table of resource kinds', () => {
  it('places each collection where the API serves it', () => {
    const paths = Object.fromEntries(
      Object.entries(RESOURCES).map(([row, resource]) => [row, collectionPath(resource, 'team-a')]),
    );
    expect(paths).toEqual({
      deployments: 'apis/apps/v1/namespaces/team-a/deployments',
      services: 'api/v1/namespaces/team-a/services',
      pods: 'api/v1/namespaces/team-a/pods',
      configmaps: 'api/v1/namespaces/team-a/configmaps',
      secrets: 'api/v1/namespaces/team-a/secrets',
      events: 'api/v1/namespaces/team-a/events',
      routes: 'apis/route.openshift.io/v1/namespaces/team-a/routes',
      ingresses: 'apis/networking.k8s.io/v1/namespaces/team-a/ingresses',
    });
  });

  it('keys each row by its plural, and each kind a create makes by its kind', () => {
    for (const [row, resource] of Object.entries(RESOURCES)) expect(resource.plural).toBe(row);
    for (const [kind, resource] of Object.entries(WRITTEN)) expect(resource.kind).toBe(kind);
  });

  it('needs one verb per operation of a row, list and watch for a listed row, get for a subresource', () => {
    const row = (fields: Partial<ResourceKind>): ResourceKind => ({
      kind: 'Thing',
      group: 'example.com',
      version: 'v1',
      plural: 'things',
      listed: false,
      subresources: [],
      ...fields,
    });
    const operation = () => Promise.resolve();
    expect(apiCallsOf([row({ listed: true, delete: operation, subresources: ['status'] })])).toEqual([
      { group: 'example.com', resource: 'things', verbs: ['delete', 'list', 'watch'] },
      { group: 'example.com', resource: 'things/status', verbs: ['get'] },
    ]);
    expect(apiCallsOf([row({ subresources: ['log'] })])).toEqual([
      { group: 'example.com', resource: 'things/log', verbs: ['get'] },
    ]);
  });

  it('makes the inventory the Role grants (docs/kubernetes.md, Permissions)', () => {
    expect(KUBERNETES_API_CALLS).toEqual([
      {
        group: 'apps',
        resource: 'deployments',
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'],
      },
      { group: '', resource: 'services', verbs: ['create', 'delete', 'list', 'watch'] },
      { group: '', resource: 'services/proxy', verbs: ['get'] },
      { group: '', resource: 'pods', verbs: ['list', 'watch'] },
      { group: '', resource: 'pods/log', verbs: ['get'] },
      { group: '', resource: 'configmaps', verbs: ['get'] },
      { group: '', resource: 'secrets', verbs: ['get'] },
      { group: '', resource: 'events', verbs: ['list', 'watch'] },
      { group: 'route.openshift.io', resource: 'routes', verbs: ['create', 'delete', 'list', 'watch'] },
      { group: 'networking.k8s.io', resource: 'ingresses', verbs: ['create', 'delete', 'list', 'watch'] },
    ]);
  });
});
