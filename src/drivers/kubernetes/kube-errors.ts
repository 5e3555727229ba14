/**
 * Kubernetes API errors as the domain errors of core/errors.ts: the message says what the driver was doing and what
 * Kubernetes answered; the API's own error stays as `cause` (for logs, never for answers).
 */
import { ApiException } from '@kubernetes/client-node';
import {
  BackendUnavailableError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OshinkoError,
  TimeoutError,
  UnprocessableError,
} from '../../core/errors.js';

interface KubeStatusBody {
  message?: string;
  reason?: string;
}

/** The message of the Status body Kubernetes answered with, or the HTTP code when there is none. */
export function statusMessage(error: ApiException<unknown>): string {
  const body = error.body;
  let parsed: KubeStatusBody | undefined;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as KubeStatusBody;
    } catch {
      parsed = { message: body };
    }
  } else if (typeof body === 'object' && body !== null) {
    parsed = body;
  }
  return parsed?.message ?? `HTTP ${error.code}`;
}

/** Whether Kubernetes answered with this HTTP status. */
export function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/** Turns a failed API call into a domain error that says what we were doing and what Kubernetes answered. */
export function kubeError(action: string, error: unknown): OshinkoError {
  if (error instanceof OshinkoError) return error;
  const cause = { cause: error };
  if (error instanceof ApiException) {
    const message = `${action}: Kubernetes answered ${error.code}: ${statusMessage(error)}`;
    switch (error.code) {
      case 403:
        return new ForbiddenError(`${message} (the server's service account lacks a permission)`, cause);
      case 404:
        return new NotFoundError(message, cause);
      case 409:
        return new ConflictError(message, cause);
      case 400:
      case 422:
        return new UnprocessableError(message, cause);
      default:
        return new BackendUnavailableError(message, cause);
    }
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new TimeoutError(`${action}: the Kubernetes API did not answer in time`, cause);
  }
  const reason =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return new BackendUnavailableError(`${action}: cannot reach the Kubernetes API: ${reason}`, cause);
}

/** Runs one API call; a failure becomes the domain error `kubeError` makes of it. */
export async function call<T>(action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw kubeError(action, error);
  }
}

/** Like `call`, but a 404 is `undefined`. */
export async function optional<T>(action: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw kubeError(action, error);
  }
}
