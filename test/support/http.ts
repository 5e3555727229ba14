/** Raw HTTP calls for tests that look at statuses, headers and bodies the typed client hides. */
import { expect } from 'vitest';
import type { FakeKubeServer, KubeObject } from '../fake-kube/fake-kube-server.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface RawRequest {
  readonly body?: unknown;
  /** Sent as is, instead of `body` serialised as JSON. */
  readonly rawBody?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export async function http(
  baseUrl: string,
  method: string,
  path: string,
  request: RawRequest = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...request.headers };
  let body: string | undefined = request.rawBody;
  if (body === undefined && request.body !== undefined) body = JSON.stringify(request.body);
  if (body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(request.timeoutMs ?? 20_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // A body that is not JSON (a proxy's page, plain text) is for the test to judge by `text`; nothing else is expected.
    if (!(error instanceof SyntaxError)) throw error;
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Asserts the upstream error envelope `{errors:[{status,title,details}]}` with the response's own status. */
export function expectEnvelope(response: RawResponse, status?: number): { field?: string; details: string } {
  if (status !== undefined) expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type') ?? '').toContain('application/json');
  const body = response.json as { errors?: unknown[] } | undefined;
  expect(body, response.text).toMatchObject({
    errors: [
      {
        status: response.status,
        title: expect.any(String) as unknown,
        details: expect.any(String) as unknown,
      },
    ],
  });
  const first = (body?.errors?.[0] ?? {}) as { field?: string; details: string; title: string };
  expect(first.title).not.toBe('');
  expect(first.details).not.toBe('');
  // 5xx bodies must not leak internals.
  expect(first.details).not.toMatch(/\n\s+at /);
  return first;
}

const CLUSTER_RESOURCES = ['deployments', 'replicasets', 'pods', 'services', 'routes', 'ingresses'] as const;

/** Every object the fake holds that a cluster could own, as `resource/name`, sorted. */
export function kubeInventory(fake: FakeKubeServer, namespace: string): string[] {
  return CLUSTER_RESOURCES.flatMap((resource) =>
    fake.objects(resource, namespace).map((o: KubeObject) => `${resource}/${o.metadata.name}`),
  ).sort();
}

/** Only the objects the API client creates itself (the fake's controllers make ReplicaSets and Pods). */
export function createdInventory(fake: FakeKubeServer, namespace: string): string[] {
  return kubeInventory(fake, namespace).filter(
    (entry) => !entry.startsWith('replicasets/') && !entry.startsWith('pods/'),
  );
}
