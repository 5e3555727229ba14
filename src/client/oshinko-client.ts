/**
 * Typed REST client, shared by the CLI, the console and the tests. Its types are the wire schemas, so a change
 * of the API that the client does not follow fails to compile. Runs in Node and in browsers (global fetch).
 */
import type {
  ClusterList,
  ClusterModel,
  ClusterResponse,
  ClusterSummary,
  ErrorBody,
  ImageList,
  NewCluster,
  ServerInfo,
} from '../api/schemas.js';
import {
  BackendUnavailableError,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  LimitExceededError,
  MethodNotAllowedError,
  NotFoundError,
  OshinkoError,
  PayloadTooLargeError,
  TimeoutError,
  UnauthorizedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  type ErrorCode,
} from '../core/errors.js';

export type { ClusterModel, ClusterSummary, NewCluster, ServerInfo };
export type LocalImageModel = ImageList['images'][number];

/** An error answer of the server: the status, the upstream title and the field it names, if any. */
export interface ApiErrorDetails {
  readonly status: number;
  readonly title: string;
  readonly field: string | undefined;
}

type ErrorClass = new (message: string, options?: { field?: string }) => OshinkoError;

/** The error of each code the server sends (`errors[0].code`); `internal` has no class of its own. */
const ERROR_BY_CODE: Partial<Record<string, ErrorClass>> = {
  invalid: InvalidInputError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  'not-found': NotFoundError,
  conflict: ConflictError,
  'method-not-allowed': MethodNotAllowedError,
  'unsupported-media-type': UnsupportedMediaTypeError,
  unprocessable: UnprocessableError,
  'too-large': PayloadTooLargeError,
  limit: LimitExceededError,
  unavailable: BackendUnavailableError,
  timeout: TimeoutError,
} satisfies Partial<Record<ErrorCode, ErrorClass>>;

/** Without a code (upstream Oshinko servers, proxies), the status says what it can. */
const ERROR_BY_STATUS: Partial<Record<number, ErrorClass>> = {
  400: InvalidInputError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  405: MethodNotAllowedError,
  409: ConflictError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableError,
  503: BackendUnavailableError,
  504: TimeoutError,
};

/** Rebuilds the server's error as the matching domain error, with `api` holding the wire details. */
export function apiError(status: number, body: unknown): OshinkoError & { api: ApiErrorDetails } {
  const first = (body as Partial<ErrorBody> | undefined)?.errors?.[0];
  const details = first?.details ?? `the server answered HTTP ${status}`;
  const title = first?.title ?? 'request failed';
  const Class =
    (first?.code === undefined ? undefined : ERROR_BY_CODE[first.code]) ??
    ERROR_BY_STATUS[status] ??
    BackendUnavailableError;
  const error = new Class(
    details,
    first?.field === undefined ? undefined : { field: first.field },
  ) as OshinkoError & {
    api: ApiErrorDetails;
  };
  error.api = { status, title, field: first?.field };
  return error;
}

/**
 * The client's default deadline: longer than the server's own (120 s, OSHINKO_REQUEST_TIMEOUT_MS), so that a slow
 * request ends with the server's 504 and its words rather than with the client giving up first.
 */
export const DEFAULT_TIMEOUT_MS = 130_000;

export interface ClientOptions {
  readonly token?: string | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** Per-request timeout in milliseconds (default DEFAULT_TIMEOUT_MS); 0: none. */
  readonly timeoutMs?: number | undefined;
}

/** Which log `logs` and `followLogs` read. */
export interface LogOptions {
  /** A pod (local: process) of the cluster; the master when omitted. */
  readonly pod?: string | undefined;
  readonly tail?: number | undefined;
  /** `spark` (the default) or `image-check`, the master's init container (Kubernetes only). */
  readonly container?: string | undefined;
  /** The log of the container's previous instance (before its last restart). */
  readonly previous?: boolean | undefined;
}

export class OshinkoClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(
    baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * One request. The deadline covers the whole answer, or with `stream` only until its headers (a followed log
   * runs as long as it runs); `signal` ends it early either way.
   */
  private async request(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/json',
    options: { stream?: boolean; signal?: AbortSignal | undefined } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // A whole answer: fetch's own timeout signal (it covers reading the body). A stream: a timer that the
    // headers' arrival clears.
    const deadline = new AbortController();
    const timer =
      timeoutMs > 0 && options.stream === true
        ? setTimeout(() => {
            deadline.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
          }, timeoutMs)
        : undefined;
    const signals = [
      ...(timeoutMs > 0 && options.stream !== true ? [AbortSignal.timeout(timeoutMs)] : []),
      ...(timer === undefined ? [] : [deadline.signal]),
      ...(options.signal === undefined ? [] : [options.signal]),
    ];
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signals.length === 0
          ? {}
          : { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) }),
      });
    } catch (error) {
      clearTimeout(timer);
      // The server took the connection but did not answer in time: a timeout, not an unreachable server.
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new TimeoutError(
          `the oshinko server at ${this.baseUrl} did not answer within ${timeoutMs} ms; the request may still complete`,
        );
      }
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new BackendUnavailableError(`cannot reach the oshinko server at ${this.baseUrl}: ${reason}`);
    }
    clearTimeout(timer);
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      throw apiError(response.status, parsed);
    }
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  info(): Promise<ServerInfo> {
    return this.json<ServerInfo>('GET', '/');
  }

  async listClusters(): Promise<ClusterSummary[]> {
    return (await this.json<ClusterList>('GET', '/clusters')).clusters;
  }

  async getCluster(name: string): Promise<ClusterModel> {
    return (await this.json<ClusterResponse>('GET', `/clusters/${encodeURIComponent(name)}`)).cluster;
  }

  async createCluster(request: NewCluster): Promise<ClusterModel> {
    return (await this.json<ClusterResponse>('POST', '/clusters', request)).cluster;
  }

  /** Scales a cluster: only masterCount and workerCount may change. */
  async scaleCluster(
    name: string,
    counts: { masterCount?: number; workerCount?: number },
  ): Promise<ClusterModel> {
    const body: NewCluster = { name, config: counts };
    return (await this.json<ClusterResponse>('PUT', `/clusters/${encodeURIComponent(name)}`, body)).cluster;
  }

  async deleteCluster(name: string): Promise<void> {
    await this.request('DELETE', `/clusters/${encodeURIComponent(name)}`);
  }

  private logsPath(name: string, options: LogOptions, follow: boolean): string {
    const query = new URLSearchParams();
    if (options.pod !== undefined) query.set('pod', options.pod);
    if (options.tail !== undefined) query.set('tail', String(options.tail));
    if (options.container !== undefined) query.set('container', options.container);
    if (options.previous === true) query.set('previous', 'true');
    if (follow) query.set('follow', 'true');
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    return `/clusters/${encodeURIComponent(name)}/logs${suffix}`;
  }

  async logs(name: string, options: LogOptions = {}): Promise<string> {
    return (await this.request('GET', this.logsPath(name, options, false), undefined, 'text/plain')).text();
  }

  /**
   * The log as it grows (`follow=true`): its last lines, then each new one, until the pod ends, the server
   * closes the stream or `signal` aborts (then the iteration just ends).
   */
  async *followLogs(name: string, options: LogOptions = {}, signal?: AbortSignal): AsyncGenerator<string> {
    let response: Response;
    try {
      response = await this.request('GET', this.logsPath(name, options, true), undefined, 'text/plain', {
        stream: true,
        signal,
      });
    } catch (error) {
      if (signal?.aborted === true) return;
      throw error;
    }
    if (response.body === null) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } catch (error) {
      if (signal?.aborted === true) return;
      throw new BackendUnavailableError(
        `the log stream from ${this.baseUrl} broke: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  async listImages(): Promise<LocalImageModel[]> {
    return (await this.json<ImageList>('GET', '/images')).images;
  }

  openapi(): Promise<Record<string, unknown>> {
    return this.json<Record<string, unknown>>('GET', '/openapi.json');
  }
}
