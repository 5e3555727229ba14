/**
 * Pure: what the API server says of its own readiness (`GET /readyz`) becomes what reads may do. The watch cache asks
 * it every few seconds: a server whose storage (etcd) is gone keeps its watches open and silent, so without asking,
 * the cache would go on answering a state nobody can confirm.
 */

export type ApiReadiness =
  | { readonly state: 'ready' }
  /** The server does not let us ask (401, 403) or has no such endpoint (404): no signal, reads go on as before. */
  | { readonly state: 'unknown'; readonly why: string }
  | {
      readonly state: 'not-ready';
      /** The failing checks, as the server names them (`etcd`, `etcd-readiness`, `informer-sync` ...). */
      readonly failed: readonly string[];
      /** A storage check failed: nothing can be read or written until it is back. */
      readonly storage: boolean;
      readonly problem: string;
    };

export function readinessOf(answer: { readonly status: number; readonly body: string }): ApiReadiness {
  const { status, body } = answer;
  if (status >= 200 && status <= 299) return { state: 'ready' };
  if (status === 401 || status === 403 || status === 404) {
    return { state: 'unknown', why: `GET /readyz answered ${String(status)}` };
  }
  const failed = [...body.matchAll(/^\[-\]([^\s]+) failed/gm)].map((match) => match[1] ?? '');
  const storage = failed.some((check) => check === 'etcd' || check.startsWith('etcd-'));
  const what =
    failed.length > 0
      ? `${failed.join(', ')} failed`
      : (body.split('\n').find((line) => line.trim() !== '') ?? '').slice(0, 200) || 'no reason given';
  const problem = storage
    ? `the Kubernetes API server cannot reach its storage (GET /readyz: ${what})`
    : `the Kubernetes API server is not ready (GET /readyz answered ${String(status)}: ${what})`;
  return { state: 'not-ready', failed, storage, problem };
}
