/**
 * A bounded HTTP load generator: a fixed number of concurrent keep-alive connections sends requests until a
 * request count or a time limit is reached, whichever comes first. Only loopback URLs are accepted.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { summarize, type Summary } from './stats.js';

export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'DELETE';
  /** A body per request (the index lets each request differ, e.g. a fresh cluster name). */
  readonly body?: (index: number) => unknown;
  readonly concurrency: number;
  readonly maxRequests: number;
  readonly maxMs: number;
  readonly expectStatus?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Latency in milliseconds. */
  readonly latency: Summary;
  readonly bytes: number;
}

export function assertLoopback(url: string): void {
  const { hostname } = new URL(url);
  if (hostname !== '127.0.0.1' && hostname !== '[::1]' && hostname !== 'localhost') {
    throw new Error(`benchmarks target loopback only, not ${url}`);
  }
}

export interface Response {
  readonly status: number;
  readonly body: string;
}

/** The headers of a JSON body, if there is one. */
export function bodyHeaders(payload: string | undefined): Record<string, string | number> {
  return payload === undefined
    ? {}
    : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
}

/** Reads an answer to its end: its status and its body as text. */
export function readAnswer(
  res: IncomingMessage,
  resolve: (answer: Response) => void,
  reject: (error: Error) => void,
): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
  });
  res.on('error', reject);
}

/** One request on `agent`; resolves with the status and body. */
export function send(
  agent: Agent,
  url: string,
  method: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  assertLoopback(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { ...headers, ...bodyHeaders(payload) } }, (res) => {
      readAnswer(res, resolve, reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  assertLoopback(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let bytes = 0;
  const start = performance.now();
  const deadline = start + options.maxMs;
  const expected = options.expectStatus ?? 200;
  const worker = async () => {
    while (next < options.maxRequests && performance.now() < deadline) {
      const index = next++;
      const began = performance.now();
      try {
        const response = await send(agent, options.url, options.method ?? 'GET', options.body?.(index));
        bytes += response.body.length;
        if (response.status !== expected) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    latency: summarize(latencies),
    bytes: latencies.length === 0 ? 0 : bytes / latencies.length,
  };
}
