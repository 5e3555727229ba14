/**
 * The values of the simple cluster settings and the rules they follow: each parser takes what a request, a stored
 * configuration (text) or a flag gives, and returns the value or refuses it naming the field. Pure.
 */
import { configNameProblem } from './cluster-name.js';
import { invalidValue } from './errors.js';
import { parseImageReference } from './image-ref.js';

export const METRICS_MODES = ['false', 'true', 'jolokia', 'prometheus'] as const;
export type MetricsMode = (typeof METRICS_MODES)[number];

/** Kubernetes' image pull policies, spelled as Kubernetes spells them. */
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/**
 * `config.runAsUser` saying "set no UID": the containers run as their image's user, or as the platform assigns
 * (OpenShift). Kubernetes then refuses an image whose user is a name (docs/kubernetes.md, "Restricted pods").
 */
export const IMAGE_USER = 'image';
/** The UID the Spark containers run as, or `image`. */
export type RunAsUser = number | typeof IMAGE_USER;
/** The user of the official Spark images (apache/spark-docker: `useradd --system --uid=185 spark`). */
export const SPARK_IMAGE_UID = 185;
/** The largest UID Kubernetes accepts in `runAsUser`. */
export const MAX_UID = 2147483647;

export const MAX_MASTERS = 1;

/** Validates an image reference and names the field in the error. */
export function assertImageReference(image: string, field: string): void {
  const result = parseImageReference(image);
  if (!result.ok) throw invalidValue(field, image, result.reason);
}

export function parseBoolean(value: string | boolean, field: string): boolean {
  if (typeof value === 'boolean') return value;
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalidValue(field, value, 'expected true or false');
}

export function parseMetrics(value: string | boolean, field: string): MetricsMode {
  const text = typeof value === 'boolean' ? String(value) : value.trim().toLowerCase();
  if ((METRICS_MODES as readonly string[]).includes(text)) return text as MetricsMode;
  throw invalidValue(field, value, `expected one of ${METRICS_MODES.join(', ')}`);
}

/** Exactly as Kubernetes spells them: the API server refuses `always`, so do we. */
export function parsePullPolicy(value: string, field: string): PullPolicy {
  if ((PULL_POLICIES as readonly string[]).includes(value)) return value as PullPolicy;
  throw invalidValue(field, value, `expected one of ${PULL_POLICIES.join(', ')}`);
}

/**
 * A UID from 1 to 2147483647 (0 is root, which the pods' `runAsNonRoot` refuses), or `image`: set none. Decimal
 * digits only, as Kubernetes takes an integer.
 */
export function parseRunAsUser(value: number | string, field: string): RunAsUser {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (text === IMAGE_USER) return IMAGE_USER;
  const number = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(number) && number >= 1 && number <= MAX_UID) return number;
  throw invalidValue(
    field,
    value,
    `expected a UID from 1 to ${String(MAX_UID)}, or "${IMAGE_USER}" to set none (the image's own user, or the one the platform assigns)`,
  );
}

export function parseCount(value: string | number, field: string, max: number): number {
  const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0 || number > max) {
    throw invalidValue(field, value, `expected an integer from 0 to ${max}`);
  }
  return number;
}

/** The name of a stored configuration or a ConfigMap; empty for none. */
export function parseConfigName(value: string, field: string): string {
  if (value === '') return value;
  const problem = configNameProblem(value);
  if (problem) throw invalidValue(field, value, problem);
  return value;
}
