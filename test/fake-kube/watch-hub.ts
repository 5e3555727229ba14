/**
 * Watches with the real protocol: every change of the store is one event, in resourceVersion order, kept in a
 * bounded history so that a watch can resume from a resourceVersion (410 Expired once it is older than the
 * history); BOOKMARK events on watches that allow them; a watch ends when its timeout is up.
 */
import type { ServerResponse } from 'node:http';
import {
  apiVersionOf,
  HttpError,
  type KubeObject,
  type ResourceDef,
  type ResourceName,
} from './kube-object.js';
import { parseLabelSelector, selects, type Requirement } from './label-selector.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchSettings {
  /** How many store events are kept for watches to resume from (at least this many). */
  readonly history: number;
  /** Interval of BOOKMARK events (the first comes sooner). */
  readonly bookmarkMs: number;
  /** How long a watch without `timeoutSeconds` lasts; undefined: a random 5 to 10 minutes. */
  readonly timeoutSeconds: number | undefined;
}

/** What a watch reads from the store: its current resourceVersion and the objects a new watch starts with. */
export interface WatchSource {
  readonly resourceVersion: number;
  select(resource: ResourceName, namespace: string, requirements: readonly Requirement[]): KubeObject[];
}

/** One change of the store, serialised once when it happens. */
interface StoreEvent {
  readonly rv: number;
  /** `resource/namespace`: the watches it concerns. */
  readonly scope: string;
  readonly type: WatchEventType;
  readonly json: string;
  readonly labels: Record<string, string>;
  /** For a MODIFIED that changed labels: the object before, with the new resourceVersion. */
  readonly before?: { readonly labels: Record<string, string>; readonly json: string } | undefined;
}

/** A parsed watch request, opened once its (possibly delayed) answer starts. */
export interface WatchRequest {
  readonly def: ResourceDef;
  readonly namespace: string;
  readonly requirements: Requirement[];
  /** Start after this resourceVersion; undefined: send every current object as ADDED first. */
  readonly resourceVersion: number | undefined;
  readonly bookmarks: boolean;
  readonly timeoutMs: number;
}

interface OpenWatch {
  readonly scope: string;
  readonly def: ResourceDef;
  readonly requirements: Requirement[];
  readonly response: ServerResponse;
  bookmarkTimer?: NodeJS.Timeout | undefined;
  timeoutTimer?: NodeJS.Timeout | undefined;
}

export class WatchHub {
  /** Store events in resourceVersion order; every event after `historyFloor` is in it. */
  private history: StoreEvent[] = [];
  private historyFloor: number;
  private readonly watches = new Map<string, Set<OpenWatch>>();

  constructor(
    private readonly settings: WatchSettings,
    private readonly source: WatchSource,
  ) {
    this.historyFloor = source.resourceVersion;
  }

  /**
   * The one place a change of the store becomes a watch event: called right after each new resourceVersion,
   * so that events are in resourceVersion order. `before` (for MODIFIED) is the previous object, needed when the
   * labels changed: a watch whose selector it leaves gets DELETED, one it enters gets ADDED.
   */
  publish(type: WatchEventType, resource: ResourceName, object: KubeObject, before?: KubeObject): void {
    const rv = Number(object.metadata.resourceVersion);
    const labels = { ...(object.metadata.labels ?? {}) };
    const beforeLabels = before?.metadata.labels ?? {};
    const relabelled =
      before !== undefined && JSON.stringify(beforeLabels) !== JSON.stringify(object.metadata.labels ?? {});
    const event: StoreEvent = {
      rv,
      scope: `${resource}/${object.metadata.namespace}`,
      type,
      json: JSON.stringify(object),
      labels,
      before: relabelled
        ? {
            labels: { ...beforeLabels },
            json: JSON.stringify({
              ...before,
              metadata: { ...before.metadata, resourceVersion: String(rv) },
            }),
          }
        : undefined,
    };
    this.history.push(event);
    // Trimmed in batches (keeping at least `history` events) so that each event costs O(1).
    const kept = this.settings.history;
    if (this.history.length > kept + Math.ceil(kept / 4)) {
      const drop = this.history.length - kept;
      this.historyFloor = this.history[drop - 1]?.rv ?? this.historyFloor;
      this.history = this.history.slice(drop);
    }
    for (const watch of this.watches.get(event.scope) ?? []) {
      const line = this.watchLine(watch, event);
      if (line !== undefined) watch.response.write(line);
    }
  }

  /** Forgets the history, as an etcd compaction does: resuming from before the current resourceVersion is 410. */
  expire(): void {
    this.history = [];
    this.historyFloor = this.source.resourceVersion;
  }

  /** How many watches are open, of one resource or of all. */
  count(resource?: ResourceName): number {
    let count = 0;
    for (const set of this.watches.values()) {
      for (const watch of set) if (resource === undefined || watch.def.resource === resource) count++;
    }
    return count;
  }

  /** Ends every open watch abruptly (its connection destroyed, as a network blip would); returns how many. */
  dropAll(): number {
    let count = 0;
    for (const set of [...this.watches.values()]) {
      for (const watch of [...set]) {
        this.end(watch, true);
        count++;
      }
    }
    return count;
  }

  request(def: ResourceDef, namespace: string, query: URLSearchParams): WatchRequest {
    const labelSelector = query.get('labelSelector');
    const requirements = labelSelector === null ? [] : parseLabelSelector(labelSelector);
    const rvText = query.get('resourceVersion') ?? '';
    if (rvText !== '' && !/^\d+$/.test(rvText)) {
      throw new HttpError(400, 'BadRequest', `invalid resource version: ${JSON.stringify(rvText)}`);
    }
    const timeoutText = query.get('timeoutSeconds') ?? '';
    if (timeoutText !== '' && !/^\d+$/.test(timeoutText)) {
      throw new HttpError(400, 'BadRequest', `timeoutSeconds: invalid value ${JSON.stringify(timeoutText)}`);
    }
    const timeoutSeconds =
      timeoutText !== '' && timeoutText !== '0'
        ? Number(timeoutText)
        : (this.settings.timeoutSeconds ?? 300 * (1 + Math.random()));
    return {
      def,
      namespace,
      requirements,
      resourceVersion: rvText === '' || rvText === '0' ? undefined : Number(rvText),
      bookmarks: query.get('allowWatchBookmarks') === 'true',
      timeoutMs: timeoutSeconds * 1000,
    };
  }

  open(request: WatchRequest, response: ServerResponse): void {
    const { def, namespace, requirements } = request;
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // A client knows its watch is established only once it has the headers.
    response.flushHeaders();
    const since = request.resourceVersion;
    if (since !== undefined && since < this.historyFloor) {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${String(since)} (${String(this.historyFloor)})`,
        reason: 'Expired',
        code: 410,
      };
      response.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      return;
    }
    const scope = `${def.resource}/${namespace}`;
    const watch: OpenWatch = { scope, def, requirements, response };
    let initial = '';
    if (since === undefined) {
      for (const object of this.source.select(def.resource, namespace, requirements))
        initial += `{"type":"ADDED","object":${JSON.stringify(object)}}\n`;
    } else {
      for (const event of this.eventsAfter(since)) {
        if (event.scope === scope) initial += this.watchLine(watch, event) ?? '';
      }
    }
    if (initial !== '') response.write(initial);
    let set = this.watches.get(scope);
    if (set === undefined) {
      set = new Set();
      this.watches.set(scope, set);
    }
    set.add(watch);
    response.on('close', () => {
      this.end(watch, true);
    });
    watch.timeoutTimer = setTimeout(() => {
      this.end(watch, false);
    }, request.timeoutMs);
    if (request.bookmarks) this.bookmark(watch, Math.min(this.settings.bookmarkMs, 50));
  }

  /** The kept events after `since`: history is in resourceVersion order. */
  private eventsAfter(since: number): StoreEvent[] {
    let low = 0;
    let high = this.history.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.history[middle]?.rv ?? 0) <= since) low = middle + 1;
      else high = middle;
    }
    return this.history.slice(low);
  }

  private bookmark(watch: OpenWatch, delay: number): void {
    watch.bookmarkTimer = setTimeout(() => {
      // Every event up to the current resourceVersion has been written to this watch already.
      const object = {
        kind: watch.def.kind,
        apiVersion: apiVersionOf(watch.def),
        metadata: { resourceVersion: String(this.source.resourceVersion) },
      };
      watch.response.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
      this.bookmark(watch, this.settings.bookmarkMs);
    }, delay);
  }

  /** What a watch is sent for an event, given its label selector; undefined when nothing. */
  private watchLine(watch: OpenWatch, event: StoreEvent): string | undefined {
    const now = selects(watch.requirements, event.labels);
    if (event.before === undefined) {
      return now ? `{"type":"${event.type}","object":${event.json}}\n` : undefined;
    }
    const was = selects(watch.requirements, event.before.labels);
    if (now) return `{"type":"${was ? event.type : 'ADDED'}","object":${event.json}}\n`;
    return was ? `{"type":"DELETED","object":${event.before.json}}\n` : undefined;
  }

  /** Closes a watch: cleanly (the stream ends, as on timeout) or abruptly (its connection destroyed). */
  private end(watch: OpenWatch, abrupt: boolean): void {
    clearTimeout(watch.timeoutTimer);
    clearTimeout(watch.bookmarkTimer);
    const set = this.watches.get(watch.scope);
    if (set?.delete(watch) !== true) return;
    if (set.size === 0) this.watches.delete(watch.scope);
    if (abrupt) watch.response.destroy();
    else watch.response.end();
  }
}
