/**
 * The life of the watch-fed cache (cluster-cache.ts): started by the first read, asked before each read whether it
 * may answer, told of each write so that it shows the write before it answers again, stopped with the driver.
 */
import type { Clock } from '../../core/clock.js';
import type { ClusterObservation } from '../../core/cluster.js';
import { BackendUnavailableError } from '../../core/errors.js';
import { readinessOf, type ApiReadiness } from './api-readiness.js';
import { ClusterCache, type Expectation } from './cluster-cache.js';
import type { CoreV1Event, RegistrationLookup, V1Pod } from './cluster-observer.js';
import type { V1Deployment, V1Ingress, V1Route, V1Service } from './kube-types.js';
import type { KubeApi } from './kube-api.js';
import { ALL_CLUSTERS_SELECTOR } from './labels.js';
import { RESOURCES } from './resources.js';
import type { WebUiExposure } from './web-ui-exposure.js';

export interface WatchTimings {
  /** First wait before listing or watching again after a failure; it doubles up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** How long a write may take to come back through the watch before the cache lists everything again. */
  readonly writeTimeoutMs: number;
  /** The API server ends each watch after this long (plus up to as much again, at random); it is resumed. */
  readonly watchTimeoutSeconds: number;
  /** A watch silent for this long (no event, no bookmark) is taken as broken and resumed. */
  readonly idleMs: number;
  /** How long the first request waits for the cache's first list before it reads the API itself. */
  readonly firstSyncMs: number;
  /** How often the API server is asked whether it is ready (`GET /readyz`) while the cache runs. */
  readonly readinessMs: number;
}

export const DEFAULT_WATCH_TIMINGS: WatchTimings = {
  backoffMs: 200,
  maxBackoffMs: 10_000,
  writeTimeoutMs: 5_000,
  watchTimeoutSeconds: 300,
  idleMs: 150_000,
  firstSyncMs: 5_000,
  readinessMs: 5_000,
};

/** Node reports a request ended by a timeout signal (`Clock.timeout`) as an AbortError caused by a TimeoutError. */
function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError') return true;
  return error.cause instanceof Error && error.cause.name === 'TimeoutError';
}

export interface WatchCacheOptions {
  readonly api: KubeApi;
  readonly exposure: WebUiExposure;
  /** False: there is no cache, every read goes to the API (OSHINKO_KUBE_WATCH=false). */
  readonly enabled: boolean;
  readonly defaultImage: string;
  readonly timings: WatchTimings;
  /** The cache's backoffs, write waits and first-sync wait, and the readiness asks and their deadline. */
  readonly clock: Clock;
  /** What each cluster's master last said about its workers (the registration poller). */
  readonly registration: RegistrationLookup;
  /**
   * The objects of a cluster changed: told once per turn of the event loop per cluster, with the cluster's
   * observation then (undefined when it is gone).
   */
  readonly changed: (cluster: string, observation: ClusterObservation | undefined) => void;
}

export class WatchCache {
  private cache: ClusterCache | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;
  /** Clusters the cache saw change since `changed` was last told. */
  private readonly touched = new Set<string>();
  /** What the API server last said of its readiness; undefined before the first answer. */
  private readiness: ApiReadiness | undefined;
  /** Cancels the next readiness ask. */
  private cancelReadiness: (() => void) | undefined;
  private asking = false;

  constructor(private readonly options: WatchCacheOptions) {}

  /**
   * The cache when it may answer; undefined when reads must go to the API (watch disabled, not synced yet, a watch
   * broken, a write of ours not yet seen). Started by the first read, which waits a little for it.
   */
  async current(): Promise<ClusterCache | undefined> {
    if (!this.options.enabled || this.stopped) return undefined;
    // A server without its storage keeps our watches open and silent: the cache cannot be believed, and the API
    // cannot answer (its lists hang until the deadline). Say so at once.
    const readiness = this.readiness;
    if (readiness?.state === 'not-ready') {
      if (readiness.storage) throw new BackendUnavailableError(readiness.problem);
      return undefined;
    }
    if (this.cache === undefined) {
      this.starting ??= this.start().finally(() => {
        this.starting = undefined;
      });
      await this.starting.catch(() => undefined);
    }
    const cache = this.cache;
    return cache?.fresh === true ? cache : undefined;
  }

  /** Read-your-writes: the cache shows these writes before it answers again; `block`: wait until it does. */
  async seen(expectations: readonly Expectation[], block = true): Promise<void> {
    const cache = this.cache;
    if (cache === undefined || expectations.length === 0) return;
    await cache.expect(expectations, block && cache.fresh);
  }

  /** Something changed that no watch may show (a write whose outcome is unknown): the cache lists again. */
  invalidate(): void {
    this.cache?.invalidate();
  }

  /** What a cluster's observation is derived from besides its objects changed (its master's answer). */
  refresh(cluster: string): void {
    this.cache?.refresh(cluster);
  }

  /** For `GET /`: where reads come from now. */
  describe(): string {
    if (!this.options.enabled) return 'from the API on every request (watch disabled)';
    const readiness = this.readiness;
    if (readiness?.state === 'not-ready') {
      return readiness.storage ? `none: ${readiness.problem}` : `from the API while ${readiness.problem}`;
    }
    const problem = this.cache?.problem;
    if (this.cache === undefined) return 'watch cache, not started yet';
    return problem === undefined
      ? 'watch cache, live'
      : `from the API while the watch cache catches up (${problem})`;
  }

  stop(): void {
    this.stopped = true;
    this.cancelReadiness?.();
    this.cache?.stop();
  }

  /** The next ask: every `readinessMs`, every second while the server is not ready (to see it back soon). */
  private scheduleReadiness(): void {
    if (this.stopped) return;
    const { readinessMs } = this.options.timings;
    const delay = this.readiness?.state === 'not-ready' ? Math.min(1000, readinessMs) : readinessMs;
    this.cancelReadiness = this.options.clock.after(delay, () => {
      void this.askReadiness().finally(() => {
        this.scheduleReadiness();
      });
    });
  }

  /** Asks `GET /readyz`; an answer that does not come within the interval counts as not ready. */
  private async askReadiness(): Promise<void> {
    if (this.asking || this.stopped) return;
    this.asking = true;
    const { api, timings, clock } = this.options;
    try {
      this.readiness = readinessOf(await api.readyz(clock.timeout(timings.readinessMs)));
    } catch (error) {
      // Refused connections are the watches' business (they break at once); a server that does not answer is ours.
      // No answer is no news: what the last answer said of a failing check stands.
      if (!isTimeout(error)) this.readiness = undefined;
      else if (this.readiness?.state !== 'not-ready') {
        this.readiness = {
          state: 'not-ready',
          failed: [],
          storage: false,
          problem: `the Kubernetes API server did not answer GET /readyz within ${String(timings.readinessMs)} ms`,
        };
      }
    } finally {
      this.asking = false;
    }
  }

  private async start(): Promise<void> {
    const { api, exposure, timings } = this.options;
    const exposing = await exposure.kinds();
    if (this.stopped || this.cache !== undefined) return;
    const selector = ALL_CLUSTERS_SELECTOR;
    const cache = new ClusterCache(
      {
        deployments: api.watched<V1Deployment>(RESOURCES.deployments, selector, timings),
        pods: api.watched<V1Pod>(RESOURCES.pods, selector, timings),
        services: api.watched<V1Service>(RESOURCES.services, selector, timings),
        routes: exposing.routes ? api.watched<V1Route>(RESOURCES.routes, selector, timings) : undefined,
        ingresses: exposing.ingresses
          ? api.watched<V1Ingress>(RESOURCES.ingresses, selector, timings)
          : undefined,
        // Events carry no labels: all of the namespace's are watched, and filtered per cluster when read.
        events: api.watched<CoreV1Event>(RESOURCES.events, undefined, timings),
      },
      this.options.defaultImage,
      { ...timings, clock: this.options.clock },
      {
        registration: this.options.registration,
        changed: (name) => {
          this.touch(name);
        },
      },
    );
    this.cache = cache;
    cache.start();
    this.scheduleReadiness();
    await cache.started(timings.firstSyncMs);
  }

  /** The cache saw a cluster's objects change: `changed` learns it once per turn of the event loop. */
  private touch(cluster: string): void {
    if (this.touched.size === 0) {
      setImmediate(() => {
        const cache = this.cache;
        for (const name of this.touched) this.options.changed(name, cache?.observation(name));
        this.touched.clear();
      });
    }
    this.touched.add(cluster);
  }
}
