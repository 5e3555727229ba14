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
  NotFoundError,
  OshinkoError,
  PayloadTooLargeError,
  TimeoutError,
  UnauthorizedError,
  UnprocessableError,
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
  409: ConflictError,
  413: PayloadTooLargeError,
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

export interface ClientOptions {
  readonly token?: string | undefined;
  readonly fetch?: typeof fetch | undefined;
  /** Per-request timeout in milliseconds (default 30 s). */
  readonly timeoutMs?: number | undefined;
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

  private async request(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/json',
  ): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
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

  async logs(name: string, options: { pod?: string; tail?: number } = {}): Promise<string> {
    const query = new URLSearchParams();
    if (options.pod !== undefined) query.set('pod', options.pod);
    if (options.tail !== undefined) query.set('tail', String(options.tail));
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    return (
      await this.request(
        'GET',
        `/clusters/${encodeURIComponent(name)}/logs${suffix}`,
        undefined,
        'text/plain',
      )
    ).text();
  }

  async listImages(): Promise<LocalImageModel[]> {
    return (await this.json<ImageList>('GET', '/images')).images;
  }

  openapi(): Promise<Record<string, unknown>> {
    return this.json<Record<string, unknown>>('GET', '/openapi.json');
  }
}
