/**
 * Lists Kubernetes objects as plain JSON. The generated client turns every listed object into model classes
 * (ObjectSerializer), which was the largest part of the server's own cost of `GET /clusters` with many clusters;
 * the observer only reads plain fields, so the list path parses the answer with JSON.parse and nothing more.
 * Authentication, TLS and proxies come from the same KubeConfig, applied per request as the client does.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

/** The headers the KubeConfig set (a bearer token, an exec plugin's token); kubeconfigs set them as an object. */
function headersOf(options: RequestOptions): OutgoingHttpHeaders {
  const headers = options.headers;
  return headers === undefined || Array.isArray(headers) ? {} : (headers as OutgoingHttpHeaders);
}

export interface ObjectList<T> {
  readonly items: T[];
}

export class JsonLister {
  private readonly base: URL;

  constructor(
    private readonly kubeConfig: KubeConfig,
    server: string,
    private readonly timeoutMs: number,
  ) {
    this.base = new URL(server.endsWith('/') ? server : `${server}/`);
  }

  /** GET `path` (relative to the API server, e.g. `api/v1/namespaces/x/pods`) with an optional label selector. */
  async list<T>(path: string, labelSelector?: string): Promise<ObjectList<T>> {
    const url = new URL(path, this.base);
    if (labelSelector !== undefined) url.searchParams.set('labelSelector', labelSelector);
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const { status, headers, body } = await this.get(url, options);
    if (status < 200 || status > 299) {
      const flat: Record<string, string> = {};
      for (const [key, value] of Object.entries(headers)) {
        if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      throw new ApiException(status, `HTTP-Code: ${String(status)}`, body, flat);
    }
    return JSON.parse(body) as ObjectList<T>;
  }

  private get(
    url: URL,
    options: RequestOptions,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          ...options,
          method: 'GET',
          headers: { ...headersOf(options), accept: 'application/json' },
          signal: AbortSignal.timeout(this.timeoutMs),
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
