/**
 * Container logs as the API server and the kubelet serve them (`pods/{name}/log`): the container's start lines,
 * then what tests append; `tailLines`, `previous` (the instance before a restart) and `follow` (a stream that gets
 * each appended line and ends with the container).
 */
import type { ServerResponse } from 'node:http';
import {
  HttpError,
  isRecord,
  notFound,
  records,
  resourceDef,
  type KubeObject,
  type RawAnswer,
} from './kube-object.js';
import type { Kubelet } from './kubelet.js';
import type { SparkDaemons } from './spark-daemons.js';
import type { ObjectStore } from './store.js';

/** A followed pod log (`follow=true`): the log so far, then each appended line, until the pod goes. */
export interface LogFollow {
  /** namespace/pod/container */
  readonly key: string;
  readonly initial: string;
}

export class PodLogs {
  /** Lines written to a container's log after its start (`append`), by namespace/pod/container. */
  private readonly appended = new Map<string, string[]>();
  /** The log of a container's previous instance (`restart`), by namespace/pod/container. */
  private readonly previous = new Map<string, string>();
  /** Open followed logs, by namespace/pod/container. */
  private readonly follows = new Map<string, Set<ServerResponse>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly kubelet: Kubelet,
    private readonly spark: SparkDaemons,
  ) {}

  /** Writes a line to a container's log, as the container would; followers of the log get it at once. */
  append(namespace: string, pod: string, line: string, container: string): void {
    const key = `${namespace}/${pod}/${container}`;
    const lines = this.appended.get(key) ?? [];
    lines.push(line);
    this.appended.set(key, lines);
    for (const response of this.follows.get(key) ?? []) response.write(`${line}\n`);
  }

  /**
   * Restarts a container as the kubelet does after it ended: its log so far becomes the previous instance's
   * (`previous=true`), its status gets `lastState.terminated` and one more restart, and its followers' streams end.
   */
  restart(namespace: string, pod: string, container: string): void {
    const object = this.store.get('pods', namespace, pod);
    if (object === undefined) throw new Error(`no pod ${namespace}/${pod}`);
    const key = `${namespace}/${pod}/${container}`;
    this.previous.set(key, this.text(object, container));
    this.appended.delete(key);
    this.end((candidate) => candidate === key);
    this.kubelet.setContainers(object, (c) =>
      c.name !== container
        ? c
        : {
            ...c,
            restartCount: (typeof c.restartCount === 'number' ? c.restartCount : 0) + 1,
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
    );
  }

  /** How many logs are followed now. */
  openFollows(): number {
    let count = 0;
    for (const set of this.follows.values()) count += set.size;
    return count;
  }

  /** A pod is gone: the kubelet closes its followed logs when the container stops. */
  podGone(pod: KubeObject): void {
    const prefix = `${pod.metadata.namespace}/${pod.metadata.name}/`;
    this.end((key) => key.startsWith(prefix));
  }

  /** Ends every followed log, cleanly. */
  endAll(): void {
    this.end(() => true);
  }

  /** `GET .../pods/{name}/log`: the text, an empty 204, or a followed log to open. */
  read(namespace: string, name: string, query: URLSearchParams): string | RawAnswer | { follow: LogFollow } {
    const pod = this.store.get('pods', namespace, name);
    if (pod === undefined) throw notFound(resourceDef('pods'), name);
    const containers = records(pod.spec?.containers);
    const initContainers = records(pod.spec?.initContainers);
    const containerName =
      query.get('container') ?? (containers.length === 1 ? String(containers[0]?.name) : undefined);
    if (containerName === undefined)
      throw new HttpError(400, 'BadRequest', `a container name must be specified for pod ${name}`);
    // As the API server: any container of the pod, its init containers included.
    const container = [...containers, ...initContainers].find((c) => c.name === containerName);
    if (container === undefined)
      throw new HttpError(400, 'BadRequest', `container ${containerName} is not valid for pod ${name}`);
    for (const flag of ['previous', 'follow']) {
      const value = query.get(flag);
      if (value !== null && !['true', 'false', '1', '0'].includes(value))
        throw new HttpError(400, 'BadRequest', `invalid ${flag} value "${value}": expected true or false`);
    }
    const previous = query.get('previous') === 'true' || query.get('previous') === '1';
    const follow = query.get('follow') === 'true' || query.get('follow') === '1';
    const key = `${namespace}/${name}/${containerName}`;
    const tail = Number(query.get('tailLines') ?? '0');
    const tailOf = (text: string) => {
      const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
      const kept = tail > 0 ? lines.slice(-tail) : lines;
      return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
    };
    // As the kubelet: the previous instance's log, whose absence is a 400 (nothing restarted yet).
    if (previous) {
      const text = this.previous.get(key);
      if (text === undefined)
        throw new HttpError(
          400,
          'BadRequest',
          `previous terminated container "${containerName}" in pod "${name}" not found`,
        );
      return tailOf(text);
    }
    // As the API server: a pod on no node has no kubelet to ask, and the answer is an empty 204 (no content type).
    if (typeof pod.spec?.nodeName !== 'string' || pod.spec.nodeName === '')
      return { status: 204, raw: '', contentType: undefined };
    const state = records(pod.status?.containerStatuses).find((s) => s.name === containerName)?.state;
    const waiting = isRecord(state) && isRecord(state.waiting) ? state.waiting : undefined;
    if (waiting !== undefined) {
      throw new HttpError(
        400,
        'BadRequest',
        `container "${containerName}" in pod "${name}" is waiting to start: ${String(waiting.reason)}`,
      );
    }
    const text = tailOf(this.text(pod, containerName));
    return follow ? { follow: { key, initial: text } } : text;
  }

  openFollow(follow: LogFollow, response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    if (follow.initial !== '') response.write(follow.initial);
    let set = this.follows.get(follow.key);
    if (set === undefined) {
      set = new Set();
      this.follows.set(follow.key, set);
    }
    set.add(response);
    response.on('close', () => {
      const open = this.follows.get(follow.key);
      open?.delete(response);
      if (open?.size === 0) this.follows.delete(follow.key);
    });
  }

  /** What a container of a pod has written: what its command prints (a Spark daemon's), then the lines appended. */
  private text(pod: KubeObject, containerName: string): string {
    const container = records(pod.spec?.containers).find((c) => c.name === containerName);
    const lines = container === undefined ? [] : this.spark.startLog(pod, container);
    lines.push(
      ...(this.appended.get(`${pod.metadata.namespace}/${pod.metadata.name}/${containerName}`) ?? []),
    );
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  /** Ends (cleanly) the followed logs whose key matches. */
  private end(matches: (key: string) => boolean): void {
    for (const [key, set] of [...this.follows]) {
      if (!matches(key)) continue;
      this.follows.delete(key);
      for (const response of set) response.end();
    }
  }
}
