/**
 * A reflector keeps an in-memory copy of one kind of object in one namespace, as client-go's informers do: it
 * lists once, then follows a watch from the list's resourceVersion, resuming after a clean end and listing again
 * after a 410 (the version fell out of the API server's history). Reads come from the copy only while the watch
 * is live (`fresh`), so a cache that may have missed changes is never served: the driver reads directly then.
 */
import { jitter, type Clock } from '../../core/clock.js';
import type { WatchEnd, WatchEvent, WatchOptions, WatchStream, ObjectList } from './json-lister.js';

export interface KubeObjectLike {
  readonly metadata?:
    | {
        readonly name?: string | undefined;
        readonly resourceVersion?: string | undefined;
        readonly deletionTimestamp?: unknown;
      }
    | undefined;
}

/** Where a reflector reads: a list, and a watch from a resourceVersion. */
export interface ReflectorSource<T> {
  /** `signal` aborts when the reflector stops or restarts while the list is under way. */
  list(signal: AbortSignal): Promise<ObjectList<T>>;
  watch(
    options: Pick<WatchOptions, 'resourceVersion'>,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<WatchStream>;
}

export interface ReflectorOptions {
  /**
   * First wait before listing or watching again after a failure; doubles up to `maxBackoffMs`, then is spread by
   * up to `jitter` times more at random (as client-go's reflector backs off: 0.8 s to 30 s, jitter 1.0).
   */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** Default 1: each wait is between one and two times its step. */
  readonly jitter?: number | undefined;
  /**
   * After a watch is established, how long a silence means it has caught up (nothing happened since the version
   * it started from); the first event or bookmark means so at once. Default 100 ms.
   */
  readonly settleMs?: number | undefined;
  /** A watch that ends cleanly sooner than this is not a server timeout: it is retried with backoff (default 1 s). */
  readonly minWatchMs?: number | undefined;
  /** Backoff and its jitter, settling, write waits and watch durations go by it. */
  readonly clock: Clock;
}

/** The versions of recent events, to tell whether a write has been seen; bounded. */
const SEEN_VERSIONS = 4096;

interface Waiter {
  /** Registered at this tick: a list started after it has seen the write. */
  readonly tick: number;
  readonly test: () => boolean;
  readonly resolve: (seen: boolean) => void;
}

/** Kubernetes' resource version comparison: positive integers without leading zeros, of any length. */
const COMPARABLE = /^[1-9][0-9]*$/;

/** `a` is at or after `b`; false when either is not a comparable version. */
function notOlder(a: string, b: string): boolean {
  if (!COMPARABLE.test(a) || !COMPARABLE.test(b)) return false;
  return a.length !== b.length ? a.length > b.length : a >= b;
}

function nameOf(object: KubeObjectLike): string {
  return object.metadata?.name ?? '';
}

/** A Kubernetes Status in a watch ERROR event. */
function statusCode(object: unknown): number | undefined {
  return typeof object === 'object' && object !== null && 'code' in object && typeof object.code === 'number'
    ? object.code
    : undefined;
}

export class Reflector<T extends KubeObjectLike> {
  private readonly items = new Map<string, T>();
  private readonly seen = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private resourceVersion = '';
  /** The version the last list gave: a watch from it that expires at once would expire again. */
  private listedVersion: string | undefined;
  private listed = false;
  private live = false;
  private stopped = true;
  private stream: WatchStream | undefined;
  /** The list under way, aborted by stop and restart (a hung API must not hold the process for its deadline). */
  private listing: AbortController | undefined;
  /** Cancels the list or watch waiting for its backoff. */
  private cancelRetry: (() => void) | undefined;
  private readonly clock: Clock;
  private tick = 0;
  /** Bumped by stop and restart: a loop of an older generation ends at its next step. */
  private generation = 0;
  private failures = 0;
  private lastError: unknown;
  private firstAttempt: { promise: Promise<void>; resolve: () => void };

  constructor(
    readonly what: string,
    private readonly source: ReflectorSource<T>,
    private readonly onChange: (previous: T | undefined, next: T | undefined) => void,
    private readonly options: ReflectorOptions,
  ) {
    this.clock = options.clock;
    let resolve: () => void = () => undefined;
    const promise = new Promise<void>((done) => {
      resolve = done;
    });
    this.firstAttempt = { promise, resolve };
  }

  /** The copy is complete and a watch is keeping it current. */
  get fresh(): boolean {
    return this.listed && this.live;
  }

  /** Why the copy is not fresh, for logs and `describe()`. */
  get problem(): string | undefined {
    if (this.fresh) return undefined;
    if (this.lastError === undefined) return `${this.what}: starting`;
    const error = this.lastError;
    return `${this.what}: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
  }

  /** Resolves after the first list and watch were attempted, whatever the outcome. */
  get started(): Promise<void> {
    return this.firstAttempt.promise;
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  get(name: string): T | undefined {
    return this.items.get(name);
  }

  get size(): number {
    return this.items.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.relist(this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.listing?.abort();
    this.live = false;
    this.cancelRetry?.();
    this.stream?.abort();
    this.stream = undefined;
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters.clear();
    // A read waiting for the first sync goes on (to the API, or to its error) instead of waiting it out.
    this.firstAttempt.resolve();
  }

  /** Lists again from scratch; waiters stay and are settled by that list, which starts after them. */
  restart(): void {
    if (this.stopped) return;
    this.live = false;
    // Without it, `problem` (GET / details.reads) would say 'starting' of a cache that has run for days.
    this.lastError = new Error('listing again from scratch');
    this.cancelRetry?.();
    const stream = this.stream;
    this.stream = undefined;
    this.generation += 1;
    this.listing?.abort();
    stream?.abort();
    void this.relist(this.generation);
  }

  /**
   * Resolves true once the copy has seen the object at `resourceVersion` (a write's answer), false on timeout.
   * A list or watch event at a later version shows the write too, even when that version of the object never
   * came by itself (changed again before a list read it): resource versions are compared as Kubernetes defines
   * it since 1.35 (KEP-5504, `CompareResourceVersion`), when both are such versions.
   */
  waitForVersion(resourceVersion: string, timeoutMs: number): Promise<boolean> {
    return this.waitFor(
      () => this.seen.has(resourceVersion) || notOlder(this.resourceVersion, resourceVersion),
      timeoutMs,
    );
  }

  /** Resolves true once the copy no longer holds `name` (or holds it terminating), false on timeout. */
  waitForGone(name: string, timeoutMs: number): Promise<boolean> {
    return this.waitFor(() => {
      const object = this.items.get(name);
      return object === undefined || object.metadata?.deletionTimestamp !== undefined;
    }, timeoutMs);
  }

  private waitFor(test: () => boolean, timeoutMs: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const cancel = this.clock.after(timeoutMs, () => {
        this.waiters.delete(waiter);
        resolve(false);
      });
      const waiter: Waiter = {
        tick: ++this.tick,
        test,
        resolve: (seen) => {
          cancel();
          this.waiters.delete(waiter);
          resolve(seen);
        },
      };
      this.waiters.add(waiter);
    });
  }

  private settleWaiters(listedFrom?: number): void {
    for (const waiter of this.waiters) {
      if ((listedFrom !== undefined && waiter.tick < listedFrom) || waiter.test()) waiter.resolve(true);
    }
  }

  private see(resourceVersion: string | undefined): void {
    if (resourceVersion === undefined) return;
    this.seen.add(resourceVersion);
    if (this.seen.size > SEEN_VERSIONS) {
      const oldest = this.seen.values().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
  }

  private current(generation: number): boolean {
    return !this.stopped && generation === this.generation;
  }

  private retry(error: unknown, then: () => Promise<void>): void {
    this.lastError = error;
    this.live = false;
    this.firstAttempt.resolve();
    if (this.stopped) return;
    const step = Math.min(this.options.backoffMs * 2 ** this.failures, this.options.maxBackoffMs);
    const delay = jitter(step, this.options.jitter ?? 1, this.clock);
    this.failures += 1;
    this.cancelRetry = this.clock.after(delay, () => void then());
  }

  private async relist(generation: number): Promise<void> {
    if (!this.current(generation)) return;
    const listedFrom = ++this.tick;
    let list: ObjectList<T>;
    try {
      const listing = new AbortController();
      this.listing = listing;
      try {
        list = await this.source.list(listing.signal);
      } finally {
        if (this.listing === listing) this.listing = undefined;
      }
      // Anything else answered 200 (a proxy's page, a Status) would throw below, outside any catch: the
      // rejection of this unawaited loop would end the process, and the reflector would never list again.
      if (!Array.isArray(list.items)) throw new Error('the list answer is not a list (it has no items)');
    } catch (error) {
      if (!this.current(generation)) return;
      this.listed = false;
      this.retry(error, () => this.relist(generation));
      return;
    }
    if (!this.current(generation)) return;
    const next = new Map<string, T>();
    for (const item of list.items) next.set(nameOf(item), item);
    for (const [name, previous] of this.items) {
      if (!next.has(name)) {
        this.items.delete(name);
        this.onChange(previous, undefined);
      }
    }
    for (const [name, item] of next) {
      const previous = this.items.get(name);
      if (previous?.metadata?.resourceVersion === item.metadata?.resourceVersion && previous !== undefined) {
        continue;
      }
      this.items.set(name, item);
      this.see(item.metadata?.resourceVersion);
      this.onChange(previous, item);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.listedVersion = this.resourceVersion;
    this.listed = true;
    this.settleWaiters(listedFrom);
    await this.watch(generation);
  }

  private async watch(generation: number): Promise<void> {
    if (!this.current(generation)) return;
    /** Set by an ERROR event (a closure, hence an object). */
    const ending: { expired: boolean; error?: Error } = { expired: false };
    const from = this.resourceVersion;
    /** Whether the stream has said anything yet, and how to go live when it does. */
    const heard: { any: boolean; live?: () => void } = { any: false };
    let stream: WatchStream;
    try {
      stream = await this.source.watch({ resourceVersion: this.resourceVersion }, (event) => {
        heard.any = true;
        if (heard.live !== undefined) heard.live();
        if (event.type === 'ERROR') {
          ending.expired = statusCode(event.object) === 410;
          if (!ending.expired) ending.error = new Error(`watch error: ${JSON.stringify(event.object)}`);
          if (ending.error !== undefined) this.lastError = ending.error;
          this.live = false;
          stream.abort();
          return;
        }
        this.apply(event);
      });
      if (!this.current(generation)) {
        // Stopped or restarted while the request was prepared (an exec credential plugin can take a while):
        // its stream is no one's, and would stay open until the API server answered.
        stream.abort();
        return;
      }
      this.stream = stream;
      await stream.established;
    } catch (error) {
      if (!this.current(generation)) return;
      // Some API servers answer a too old version with a plain 410 rather than an ERROR event.
      if (statusCode(error) === 410) {
        this.live = false;
        this.retry(error, () => this.relist(generation));
      } else {
        this.retry(error, () => this.watch(generation));
      }
      return;
    }
    if (!this.current(generation)) {
      stream.abort();
      return;
    }
    // Live once the stream has caught up: an API server sends what happened since the version asked for right
    // after the headers, so the copy is current after the first event or bookmark, or after a short silence
    // (nothing happened). Until then reads go to the API, so they never step back behind what a read during
    // the gap saw.
    const goLive = () => {
      heard.live = undefined;
      cancelSettle?.();
      if (!this.current(generation) || this.stream !== stream) return;
      this.live = true;
      this.lastError = undefined;
      this.firstAttempt.resolve();
    };
    const settleMs = this.options.settleMs ?? 100;
    let cancelSettle: (() => void) | undefined;
    if (heard.any || settleMs <= 0) {
      goLive();
    } else {
      heard.live = goLive;
      cancelSettle = this.clock.after(settleMs, goLive);
    }
    const began = this.clock.now();
    const end: WatchEnd = await stream.ended;
    heard.live = undefined;
    cancelSettle?.();
    const lasted = this.clock.now() - began >= (this.options.minWatchMs ?? 1000);
    if (lasted) this.failures = 0;
    if (this.stream === stream) this.stream = undefined;
    if (!this.current(generation)) return;
    if (ending.expired && (lasted || from !== this.listedVersion)) {
      // Listing again is the only way back; the copy stays as it was but is not served meanwhile.
      this.live = false;
      this.lastError = new Error('the watch history expired; listing again');
      void this.relist(generation);
    } else if (ending.expired) {
      // Expired at once, from the very version a list just gave: listing again at once would loop as fast as the
      // network allows (client-go backs off its list-and-watch loop too); back off.
      this.retry(new Error('the watch history expired as soon as the watch began'), () =>
        this.relist(generation),
      );
    } else if (end.clean && lasted) {
      // The server's timeout: resume at once from the last version seen; nothing is missed. Reads go to the API
      // until the new watch has caught up, so a slow answer never leaves the copy answering unwatched.
      this.live = false;
      void this.watch(generation);
    } else if (end.clean) {
      // Ended as soon as it began: something between us and the API is not watching; back off, do not spin.
      this.retry(new Error('the watch ended as soon as it began'), () => this.watch(generation));
    } else {
      // The stream ended by its ERROR event is aborted by us: the event says why, not the abort.
      this.retry(ending.error ?? end.error, () => this.watch(generation));
    }
  }

  private apply(event: WatchEvent<T>): void {
    if (
      !['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'].includes(event.type) ||
      typeof event.object !== 'object'
    ) {
      // Not the watch protocol (a proxy answering a list, say): the stream is broken, never half-applied.
      throw new Error(
        `the watch sent something that is not a watch event: ${JSON.stringify(event).slice(0, 80)}`,
      );
    }
    const version = event.object.metadata?.resourceVersion;
    if (version !== undefined && version !== '') this.resourceVersion = version;
    if (event.type === 'BOOKMARK') {
      // Every event up to the bookmark's version has come: a write at or before it is in the copy.
      this.settleWaiters();
      return;
    }
    const name = nameOf(event.object);
    const previous = this.items.get(name);
    if (event.type === 'DELETED') {
      this.items.delete(name);
      this.see(version);
      if (previous !== undefined) this.onChange(previous, undefined);
    } else {
      this.items.set(name, event.object);
      this.see(version);
      this.onChange(previous, event.object);
    }
    this.settleWaiters();
  }
}
