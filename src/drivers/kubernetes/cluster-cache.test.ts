import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../../core/cluster.js';
import { builtinDefaults } from '../../core/cluster-config.js';
import { ManualClock } from '../../core/manual-clock.js';
import { ClusterCache, type ClusterCacheSources } from './cluster-cache.js';
import type { ObjectList, WatchEnd, WatchEvent, WatchStream } from './json-lister.js';
import type { ReflectorSource } from './reflector.js';
import { renderMaster, renderSecondary } from './cluster-renderer.js';

type Any = Record<string, unknown> & {
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> };
};

/** A source whose watch stays open and whose events the test pushes. */
class Feed implements ReflectorSource<Any> {
  private push: ((event: WatchEvent<Any>) => void) | undefined;
  private version = 100;

  constructor(private readonly items: Any[] = []) {}

  list(): Promise<ObjectList<Any>> {
    return Promise.resolve({ items: this.items, metadata: { resourceVersion: '1' } });
  }

  watch(_options: unknown, onEvent: (event: WatchEvent<Any>) => void): Promise<WatchStream> {
    this.push = onEvent;
    const ended = new Promise<WatchEnd>(() => undefined);
    return Promise.resolve({ established: Promise.resolve(), ended, abort: () => undefined });
  }

  /** Sends an event with the next version; returns that version. */
  send(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Any): string {
    this.version += 1;
    const resourceVersion = String(this.version);
    this.push?.({ type, object: { ...object, metadata: { ...object.metadata, resourceVersion } } });
    return resourceVersion;
  }
}

const DEFAULT_IMAGE = 'docker.io/apache/spark:4.0.1';

function spec(name: string): ClusterSpec {
  return {
    name,
    config: { ...builtinDefaults('quay.io/team/spark:1'), metrics: 'false' },
    imageSource: 'request',
    storedConfig: undefined,
  };
}

/** The objects the driver renders for a cluster, as the API would list them. */
function clusterObjects(name: string) {
  const context = { namespace: 'ns', routes: false, openshift: false, ingress: undefined };
  const master = renderMaster(spec(name), context) as unknown as Any;
  const secondary = renderSecondary(spec(name), context, { name: `${name}-m`, uid: 'u1' });
  return {
    deployments: [
      master,
      ...secondary.filter((o) => o.kind === 'Deployment').map((o) => o.body as unknown as Any),
    ],
    services: secondary.filter((o) => o.kind === 'Service').map((o) => o.body as unknown as Any),
  };
}

function setup(initial: string[]) {
  const objects = initial.map(clusterObjects);
  const feeds = {
    deployments: new Feed(objects.flatMap((o) => o.deployments)),
    pods: new Feed(),
    services: new Feed(objects.flatMap((o) => o.services)),
    events: new Feed(),
  };
  const clock = new ManualClock();
  const cache = new ClusterCache(
    { ...feeds, routes: undefined, ingresses: undefined } as unknown as ClusterCacheSources,
    DEFAULT_IMAGE,
    { backoffMs: 5, maxBackoffMs: 20, writeTimeoutMs: 200, settleMs: 100, clock },
  );
  /** Starts the cache and lets its silent watches settle (100 ms on the clock): it answers from then on. */
  const start = async () => {
    cache.start();
    await clock.advance(100);
    await cache.started(1000);
  };
  return { cache, feeds, clock, start };
}

describe('ClusterCache', () => {
  it('groups the watched objects by cluster and observes each cluster once per change', async () => {
    const { start, cache, feeds } = setup(['one', 'two']);
    await start();
    expect(cache.fresh).toBe(true);
    expect(cache.names().sort()).toEqual(['one', 'two']);
    const first = cache.list();
    expect(first.find((c) => c.name === 'one')?.config.sparkImage).toBe('quay.io/team/spark:1');
    expect(first.every((c) => c.missing.length === 0)).toBe(true);
    // Nothing changed: the same observation objects come back, not recomputed ones.
    expect(cache.list()[0]).toBe(first[0]);

    const worker = clusterObjects('one').deployments[1];
    if (worker === undefined) throw new Error('no worker');
    feeds.deployments.send('MODIFIED', { ...worker, spec: { ...(worker.spec as object), replicas: 5 } });
    const after = cache.list();
    expect(after.find((c) => c.name === 'one')?.config.workerCount).toBe(5);
    expect(after.find((c) => c.name === 'two')).toBe(first.find((c) => c.name === 'two'));

    // Deleting every object but pods removes the cluster; its services going makes it Incomplete first.
    for (const service of clusterObjects('two').services) feeds.services.send('DELETED', service);
    expect(cache.get('two', undefined)?.missing).toEqual(['Service two', 'Service two-ui']);
    for (const deployment of clusterObjects('two').deployments) feeds.deployments.send('DELETED', deployment);
    expect(cache.names()).toEqual(['one']);
    expect(cache.get('two', undefined)).toBeUndefined();
    cache.stop();
  });

  it("finds a cluster's events by its objects' names, not other clusters' with a similar name", async () => {
    const { start, cache, feeds } = setup(['one']);
    await start();
    const event = (name: string, kind: string, object: string) =>
      ({
        metadata: { name },
        involvedObject: { kind, name: object },
        reason: 'Seen',
        message: `about ${object}`,
        type: 'Normal',
        lastTimestamp: '2026-11-25T10:00:00Z',
      }) as unknown as Any;
    feeds.events.send('ADDED', event('e1', 'Pod', 'one-m-5d8f7-abcde'));
    feeds.events.send('ADDED', event('e2', 'Deployment', 'one-w'));
    feeds.events.send('ADDED', event('e3', 'Service', 'one'));
    feeds.events.send('ADDED', event('e4', 'Pod', 'one-other-m-5d8f7-abcde'));
    feeds.events.send('ADDED', event('e5', 'Deployment', 'one-mx'));
    feeds.events.send('ADDED', event('e6', 'Pod', 'two-w-1-2'));
    const objects = (name: string) =>
      cache
        .events(name)
        .map((e) => e.involvedObject.name)
        .sort();
    expect(objects('one')).toEqual(['one', 'one-m-5d8f7-abcde', 'one-w']);
    expect(
      cache
        .get('one', cache.events('one'))
        ?.events?.map((e) => e.object)
        .sort(),
    ).toEqual(['Deployment/one-w', 'Pod/one-m-5d8f7-abcde', 'Service/one']);
    feeds.events.send('DELETED', event('e2', 'Deployment', 'one-w'));
    expect(objects('one')).toEqual(['one', 'one-m-5d8f7-abcde']);
    expect(objects('one-other')).toEqual(['one-other-m-5d8f7-abcde']);
    cache.stop();
  });

  it('moves an object whose cluster label changes', async () => {
    const { start, cache, feeds } = setup(['one']);
    await start();
    const [ui] = clusterObjects('one').services.filter((s) => s.metadata.name === 'one-ui');
    if (ui === undefined) throw new Error('no ui service');
    const labels = ui.metadata.labels ?? {};
    feeds.services.send('MODIFIED', {
      ...ui,
      metadata: { ...ui.metadata, labels: { ...labels, 'oshinko-cluster': 'other' } },
    });
    expect(cache.get('one', undefined)?.missing).toEqual(['Service one-ui']);
    expect(cache.names().sort()).toEqual(['one', 'other']);
    cache.stop();
  });

  it('does not answer while a write of this server has not come back through its watch', async () => {
    const { start, cache, feeds, clock } = setup([]);
    await start();
    const [master] = clusterObjects('new').deployments;
    if (master === undefined) throw new Error('no master');
    // The write's answer carried version 101; the watch has not shown it yet.
    const waiting = cache.expect([{ kind: 'deployments', resourceVersion: '101' }], false);
    await waiting;
    expect(cache.fresh).toBe(false);
    expect(cache.problem).toBe('1 writes not yet seen through the watch');
    expect(feeds.deployments.send('ADDED', master)).toBe('101');
    await clock.advance(0);
    expect(cache.fresh).toBe(true);
    expect(cache.names()).toEqual(['new']);

    // A blocking wait returns once the deletion shows.
    const gone = cache.expect([{ kind: 'deployments', gone: 'new-m' }], true);
    feeds.deployments.send('DELETED', master);
    await gone;
    expect(cache.fresh).toBe(true);
    expect(cache.names()).toEqual([]);
    cache.stop();
  });

  it('names a refused watch as the reason it does not answer, not the writes it therefore cannot see', async () => {
    const { start, cache, feeds } = setup([]);
    // No permission to watch services: the watch request is answered 403, again and again.
    feeds.services.watch = () => Promise.reject(new Error('HTTP-Code: 403 (cannot watch services)'));
    await start();
    expect(cache.problem).toBe('services: HTTP-Code: 403 (cannot watch services)');
    await cache.expect([{ kind: 'services', resourceVersion: '101' }], false);
    expect(cache.fresh).toBe(false);
    expect(cache.problem).toBe('services: HTTP-Code: 403 (cannot watch services)');
    cache.stop();
  });

  it('lists everything again when a write never comes back, and not before its time', async () => {
    const { start, cache, clock } = setup(['one']);
    await start();
    let waited = false;
    const waiting = cache.expect([{ kind: 'services', resourceVersion: '999' }], true).then(() => {
      waited = true;
    });
    await clock.advance(199);
    expect(waited).toBe(false);
    expect(cache.fresh).toBe(false);
    // The wait times out (200 ms); the reflectors list again and the cache answers once their watches settle.
    await clock.advance(1);
    await waiting;
    expect(cache.fresh).toBe(false);
    expect(cache.problem).toBe('deployments: listing again from scratch');
    await clock.advance(100);
    expect(cache.fresh).toBe(true);
    expect(cache.names()).toEqual(['one']);
    cache.stop();
  });

  it('waits for its first sync no longer than it was told to, on its clock', async () => {
    const { cache, clock } = setup(['one']);
    cache.start();
    let started = false;
    const starting = cache.started(1000).then(() => {
      started = true;
    });
    // The watches settle after 100 ms: `started` resolves then, not at its 1000 ms limit.
    await clock.advance(99);
    expect(started).toBe(false);
    await clock.advance(1);
    await starting;
    expect(cache.fresh).toBe(true);
    cache.stop();
    // A cache that never syncs: `started` gives up at its limit.
    const { cache: stuck, feeds, clock: stuckClock } = setup(['one']);
    feeds.pods.list = () => new Promise(() => undefined);
    stuck.start();
    let gaveUp = false;
    const waiting = stuck.started(1000).then(() => {
      gaveUp = true;
    });
    await stuckClock.advance(999);
    expect(gaveUp).toBe(false);
    await stuckClock.advance(1);
    await waiting;
    expect(stuck.fresh).toBe(false);
    stuck.stop();
  });
});
