/**
 * Lists and watches Kubernetes objects as plain JSON, and reads subresources (a pod's log, a service proxy) as text. The generated client turns every listed object into model classes
 * (ObjectSerializer), which was the largest part of the server's own cost of `GET /clusters` with many clusters;
 * the observer only reads plain fields, so the list path parses the answer with JSON.parse and nothing more.
 * Authentication, TLS and proxies come from the same KubeConfig, applied per request as the client does.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Readable } from 'node:stream';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../core/clock.js';

/** The headers the KubeConfig set (a bearer token, an exec plugin's token); kubeconfigs set them as an object. */
function headersOf(options: RequestOptions): OutgoingHttpHeaders {
  const headers = options.headers;
  return headers === undefined || Array.isArray(headers) ? {} : (headers as OutgoingHttpHeaders);
}

export interface ObjectList<T> {
  readonly items: T[];
  readonly metadata?: { readonly resourceVersion?: string } | undefined;
}

/** One line of a watch stream. ERROR carries a Status (410 Expired when the resourceVersion is too old). */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface WatchOptions {
  readonly labelSelector?: string | undefined;
  /** Start after this version; every event after it is delivered in order. */
  readonly resourceVersion: string;
  /** The API server ends the stream after this long (a clean end; the caller watches again). */
  readonly timeoutSeconds: number;
  /** The stream is declared broken when nothing (not even a bookmark) arrives for this long. */
  readonly idleMs: number;
}

/** How a watch stream ended: cleanly (its timeout), or broken (the error says why). */
export type WatchEnd = { readonly clean: true } | { readonly clean: false; readonly error: unknown };

export interface WatchStream {
  /** Resolves once the API server has answered 200 (the watch is established); rejects on an error answer. */
  readonly established: Promise<void>;
  /** Resolves when the stream ends, however it ends. */
  readonly ended: Promise<WatchEnd>;
  abort(): void;
}

/** Where `read` goes: a subresource of one named object of the collection. */
export interface SubresourceRequest {
  /** `log`, `proxy/json/` ...: everything after the object's name. */
  readonly subresource: string;
  readonly name: string;
  readonly query?: Readonly<Record<string, string>> | undefined;
}

/** A 2xx answer of `read`: a 204 has an empty body and no content type. */
export interface TextAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** A 2xx answer of `stream`: its body still arriving; destroying it closes the connection. */
export interface StreamAnswer {
  readonly status: number;
  readonly body: Readable;
}

function apiException(status: number, headers: IncomingHttpHeaders, body: string): ApiException<string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return new ApiException(status, `HTTP-Code: ${String(status)}`, body, flat);
}

export class JsonLister {
  private readonly base: URL;

  constructor(
    private readonly kubeConfig: KubeConfig,
    server: string,
    private readonly timeoutMs: number,
    /** The request deadlines go by it (a watch's silence is the socket's own timeout). */
    private readonly clock: Clock,
  ) {
    this.base = new URL(server.endsWith('/') ? server : `${server}/`);
  }

  /**
   * GET `path` (relative to the API server, e.g. `api/v1/namespaces/x/pods`) with an optional label selector;
   * `signal` abandons it early (a stopping cache), besides the request deadline.
   */
  async list<T>(path: string, labelSelector?: string, signal?: AbortSignal): Promise<ObjectList<T>> {
    const url = new URL(path, this.base);
    if (labelSelector !== undefined) url.searchParams.set('labelSelector', labelSelector);
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const { status, headers, body } = await this.request(url, options, signal);
    if (status < 200 || status > 299) throw apiException(status, headers, body);
    return JSON.parse(body) as ObjectList<T>;
  }

  /**
   * GET a subresource of the object `name` in the collection at `path`, as text, whatever its content type
   * (the generated client cannot read a 204 without one, which is how the API server answers for the log of a
   * pod not yet on a node). A non-2xx answer throws an ApiException carrying the API's Status.
   */
  async read(path: string, target: SubresourceRequest, signal?: AbortSignal): Promise<TextAnswer> {
    const url = this.subresourceUrl(path, target);
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    // As kubectl asks: errors come as a JSON Status, the log or proxied answer as whatever it is.
    const { status, headers, body } = await this.request(url, options, signal, 'application/json, */*');
    if (status < 200 || status > 299) throw apiException(status, headers, body);
    return { status, contentType: headers['content-type'], body };
  }

  /**
   * GET a subresource as a stream (a pod's log with `follow=true`): answers once the API server's headers arrive,
   * within the request deadline; the body then runs as long as the API server sends it, with no deadline. A
   * non-2xx answer throws an ApiException, as `read` does.
   */
  async stream(path: string, target: SubresourceRequest, signal?: AbortSignal): Promise<StreamAnswer> {
    const url = this.subresourceUrl(path, target);
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, {
        ...options,
        method: 'GET',
        headers: { ...headersOf(options), accept: 'application/json, */*' },
        ...(signal === undefined ? {} : { signal }),
      });
      const cancelDeadline = this.clock.after(this.timeoutMs, () => {
        const timeout = new Error(`the API server did not answer within ${String(this.timeoutMs)} ms`);
        timeout.name = 'TimeoutError';
        req.destroy(timeout);
      });
      req.on('error', (error) => {
        cancelDeadline();
        reject(error);
      });
      req.on('response', (res) => {
        cancelDeadline();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status <= 299) {
          resolve({ status, body: res });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          reject(apiException(status, res.headers, Buffer.concat(chunks).toString('utf8')));
        });
        res.on('error', reject);
      });
      req.end();
    });
  }

  /** GET a plain-text endpoint of the server itself (`readyz`): its status and body, whatever the status. */
  async probe(path: string, signal?: AbortSignal): Promise<{ status: number; body: string }> {
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const { status, body } = await this.request(new URL(path, this.base), options, signal, 'text/plain, */*');
    return { status, body };
  }

  private subresourceUrl(path: string, target: SubresourceRequest): URL {
    const url = new URL(
      `${path}/${encodeURIComponent(target.name).replace(/%3A/g, ':')}/${target.subresource}`,
      this.base,
    );
    for (const [key, value] of Object.entries(target.query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  /**
   * Watches `path` from a resourceVersion: each line of the stream is parsed and handed to `onEvent` in order.
   * Establishing the watch is bounded by the request deadline, the stream itself by `idleMs` of silence.
   */
  async watch<T>(
    path: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): Promise<WatchStream> {
    const url = new URL(path, this.base);
    url.searchParams.set('watch', 'true');
    url.searchParams.set('allowWatchBookmarks', 'true');
    url.searchParams.set('resourceVersion', options.resourceVersion);
    url.searchParams.set('timeoutSeconds', String(options.timeoutSeconds));
    if (options.labelSelector !== undefined) url.searchParams.set('labelSelector', options.labelSelector);
    const requestOptions: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settleEstablished: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const established = new Promise<void>((resolve, reject) => {
      settleEstablished = { resolve, reject };
    });
    let finish: (end: WatchEnd) => void = () => undefined;
    const ended = new Promise<WatchEnd>((resolve) => {
      finish = resolve;
    });
    let done = false;
    const end = (how: WatchEnd) => {
      if (done) return;
      done = true;
      cancelConnect();
      cancelIdle();
      settleEstablished?.reject(
        how.clean ? new Error('the watch ended before it was established') : how.error,
      );
      finish(how);
    };
    const req = request(url, {
      ...requestOptions,
      method: 'GET',
      headers: { ...headersOf(requestOptions), accept: 'application/json' },
    });
    const cancelConnect = this.clock.after(this.timeoutMs, () => {
      const timeout = new Error('the watch was not established in time');
      timeout.name = 'TimeoutError';
      req.destroy(timeout);
    });
    // Once the headers are in, silence is measured from the last chunk (a bookmark at least comes every minute).
    let cancelIdle: () => void = () => undefined;
    const heard = () => {
      cancelIdle();
      if (done) return;
      cancelIdle = this.clock.after(options.idleMs, () => {
        req.destroy(new Error(`the watch stream was silent for ${String(options.idleMs)} ms`));
      });
    };
    req.on('error', (error) => {
      end({ clean: false, error });
    });
    req.on('response', (res) => {
      cancelConnect();
      heard();
      res.on('data', heard);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        const chunks: Buffer[] = [];
        const fail = () => {
          end({
            clean: false,
            error: new ApiException(
              status,
              `HTTP-Code: ${String(status)}`,
              Buffer.concat(chunks).toString('utf8'),
              {},
            ),
          });
        };
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', fail);
        // An answer cut in the middle of its body never ends: without this, `established` would never settle.
        res.on('close', fail);
        return;
      }
      settleEstablished?.resolve();
      settleEstablished = undefined;
      res.setEncoding('utf8');
      let pending = '';
      res.on('data', (chunk: string) => {
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0 && !done) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
          if (line === '') continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent<T>);
          } catch (error) {
            req.destroy();
            end({ clean: false, error });
          }
        }
      });
      res.on('end', () => {
        end(
          pending.trim() === ''
            ? { clean: true }
            : { clean: false, error: new Error('the watch stream ended in the middle of an event') },
        );
      });
      res.on('error', (error) => {
        // Node names a response cut by the peer 'aborted' (ECONNRESET), which reads as if this side ended it.
        end({
          clean: false,
          error:
            (error as NodeJS.ErrnoException).code === 'ECONNRESET'
              ? new Error(`the watch stream was cut (${error.message})`)
              : error,
        });
      });
      res.on('close', () => {
        end(res.complete ? { clean: true } : { clean: false, error: new Error('the watch stream was cut') });
      });
    });
    req.end();
    // A rejection nobody waits for (the caller awaits `ended` after an abort) must not become unhandled.
    established.catch(() => undefined);
    return {
      established,
      ended,
      abort: () => {
        if (!done) req.destroy();
        end({ clean: false, error: new Error('aborted') });
      },
    };
  }

  private request(
    url: URL,
    options: RequestOptions,
    signal: AbortSignal | undefined,
    accept = 'application/json',
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const deadline = this.clock.timeout(this.timeoutMs);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          ...options,
          method: 'GET',
          headers: { ...headersOf(options), accept },
          signal: signal === undefined ? deadline : AbortSignal.any([deadline, signal]),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}
