/**
 * Where a cluster's pods run and what they carry besides Spark: `config.nodeSelector`, `config.tolerations`,
 * `config.labels`, `config.annotations`, `config.env` and `config.imagePullSecrets`, checked by the rules the
 * Kubernetes API server applies, so that it never refuses what oshinko accepted. Pure.
 */
import { invalidField, unprocessableField } from './errors.js';

export interface EnvVar {
  readonly name: string;
  /** A plain value, or */
  readonly value?: string | undefined;
  /** a key of a Secret in the cluster's namespace. */
  readonly secretKeyRef?: { readonly name: string; readonly key: string } | undefined;
}

/** A Kubernetes toleration, as the API has it: `Exists` has no value; `tolerationSeconds` only with `NoExecute`. */
export interface Toleration {
  readonly key?: string | undefined;
  readonly operator?: TolerationOperator | undefined;
  readonly value?: string | undefined;
  readonly effect?: TaintEffect | undefined;
  readonly tolerationSeconds?: number | undefined;
}

export const TOLERATION_OPERATORS = ['Exists', 'Equal'] as const;
export type TolerationOperator = (typeof TOLERATION_OPERATORS)[number];
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

/** The fields of this module, in the order a message lists them. */
export const POD_SETTING_FIELDS = [
  'nodeSelector',
  'tolerations',
  'labels',
  'annotations',
  'env',
  'imagePullSecrets',
] as const;

export interface PodSettings {
  readonly nodeSelector?: Readonly<Record<string, string>> | undefined;
  readonly tolerations?: readonly Toleration[] | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly env?: readonly EnvVar[] | undefined;
  /** Secrets of type kubernetes.io/dockerconfigjson the kubelet pulls the image with; on every pod. */
  readonly imagePullSecrets?: readonly string[] | undefined;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** The labels and env oshinko sets itself: a user's would break how it finds and runs the cluster. */
const RESERVED_LABEL = /^(oshinko-|app\.kubernetes\.io\/)/;
const RESERVED_ENV = new Set([
  'POD_IP',
  'OSHINKO_SPARK_CLUSTER',
  'SPARK_NO_DAEMONIZE',
  'SPARK_MASTER_ADDRESS',
  'SPARK_MASTER_UI_ADDRESS',
]);

function fail(field: string, rule: string): never {
  throw invalidField(field, rule);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A qualified name (`[prefix/]name`) as Kubernetes checks label and annotation keys; undefined when fine. */
export function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'the prefix before / must be a DNS subdomain of at most 253 characters (lowercase letters, digits, - and .)';
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return 'the name must be 1 to 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit';
  }
  return undefined;
}

/** A Secret's name: a DNS subdomain of at most 253 characters; undefined when fine. */
export function secretNameProblem(name: unknown): string | undefined {
  return typeof name === 'string' && name.length <= 253 && DNS_SUBDOMAIN.test(name)
    ? undefined
    : `${JSON.stringify(name)} is not a valid Secret name (a DNS subdomain: lowercase letters, digits, - and ., at most 253 characters)`;
}

function labelValueProblem(value: string): string | undefined {
  return value === '' || (value.length <= 63 && NAME.test(value))
    ? undefined
    : `${JSON.stringify(value)} is not a valid label value: at most 63 characters, letters, digits, -, _ and ., starting and ending with a letter or digit`;
}

function stringMap(
  value: unknown,
  field: string,
  kind: 'label' | 'annotation',
  reserved: boolean,
): Record<string, string> {
  if (!isRecord(value)) fail(field, `expected an object of ${kind}s, e.g. {"team": "data"}`);
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    const at = `${field}.${key}`;
    const problem = keyProblem(key);
    if (problem !== undefined) fail(at, `${JSON.stringify(key)} is not a valid key: ${problem}`);
    if (reserved && RESERVED_LABEL.test(key)) fail(at, `${JSON.stringify(key)} is set by oshinko itself`);
    if (typeof raw !== 'string') fail(at, `expected a string, got ${JSON.stringify(raw)}`);
    const valueProblem = kind === 'label' ? labelValueProblem(raw) : undefined;
    if (valueProblem !== undefined) fail(at, valueProblem);
    out[key] = raw;
  }
  if (kind === 'annotation' && JSON.stringify(out).length > 128 * 1024) {
    throw unprocessableField(field, 'the annotations are larger than 128 KiB');
  }
  return out;
}

export function parseEnv(value: unknown, field: string): EnvVar[] {
  if (!Array.isArray(value)) {
    fail(field, 'expected a list such as [{"name": "MODE", "value": "fast"}]');
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const at = `${field}[${String(index)}]`;
    if (!isRecord(entry)) fail(at, 'expected an object with name and value (or secretKeyRef)');
    for (const key of Object.keys(entry)) {
      if (key !== 'name' && key !== 'value' && key !== 'secretKeyRef') {
        fail(`${at}.${key}`, 'only name, value and secretKeyRef can be set');
      }
    }
    const { name, value: plain, secretKeyRef } = entry;
    if (typeof name !== 'string' || !ENV_NAME.test(name)) {
      fail(
        `${at}.name`,
        `${JSON.stringify(name)} is not a valid variable name (letters, digits, _, - and ., not starting with a digit)`,
      );
    }
    if (RESERVED_ENV.has(name)) fail(`${at}.name`, `${name} is set by oshinko itself`);
    if (seen.has(name)) throw unprocessableField(`${at}.name`, `${name} is given twice`);
    seen.add(name);
    if ((plain === undefined) === (secretKeyRef === undefined)) {
      fail(at, `give ${name} either a value or a secretKeyRef`);
    }
    if (plain !== undefined) {
      if (typeof plain !== 'string') fail(`${at}.value`, `expected a string, got ${JSON.stringify(plain)}`);
      return { name, value: plain };
    }
    if (!isRecord(secretKeyRef)) fail(`${at}.secretKeyRef`, 'expected {"name": <Secret>, "key": <key>}');
    const secret = secretKeyRef.name;
    const key = secretKeyRef.key;
    const secretProblem = secretNameProblem(secret);
    if (secretProblem !== undefined) fail(`${at}.secretKeyRef.name`, secretProblem);
    if (typeof key !== 'string' || key.length > 253 || !SECRET_KEY.test(key)) {
      fail(
        `${at}.secretKeyRef.key`,
        `${JSON.stringify(key)} is not a valid Secret key (letters, digits, -, _ and .)`,
      );
    }
    return { name, secretKeyRef: { name: secret as string, key } };
  });
}

/** At most this many pull secrets: a pod spec is not the place for a registry inventory. */
export const MAX_PULL_SECRETS = 16;

export function parseImagePullSecrets(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) fail(field, 'expected a list of Secret names, e.g. ["regcred"]');
  if (value.length > MAX_PULL_SECRETS) {
    fail(field, `at most ${String(MAX_PULL_SECRETS)} Secrets, got ${String(value.length)}`);
  }
  const seen = new Set<string>();
  return value.map((name: unknown, index) => {
    const at = `${field}[${String(index)}]`;
    const problem = secretNameProblem(name);
    if (problem !== undefined) fail(at, problem);
    if (seen.has(name as string)) fail(at, `${name as string} is given twice`);
    seen.add(name as string);
    return name as string;
  });
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], at: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail(at, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

function parseToleration(entry: unknown, at: string): Toleration {
  if (!isRecord(entry))
    fail(at, 'expected an object such as {"key": "dedicated", "value": "spark", "effect": "NoSchedule"}');
  for (const key of Object.keys(entry)) {
    if (!['key', 'operator', 'value', 'effect', 'tolerationSeconds'].includes(key)) {
      fail(`${at}.${key}`, 'only key, operator, value, effect and tolerationSeconds can be set');
    }
  }
  const { key, value, tolerationSeconds } = entry;
  const operator =
    entry.operator === undefined ? 'Equal' : oneOf(entry.operator, TOLERATION_OPERATORS, `${at}.operator`);
  const effect = entry.effect === undefined ? undefined : oneOf(entry.effect, TAINT_EFFECTS, `${at}.effect`);
  if (key !== undefined) {
    if (typeof key !== 'string') fail(`${at}.key`, `expected a string, got ${JSON.stringify(key)}`);
    const problem = keyProblem(key);
    if (problem !== undefined)
      fail(`${at}.key`, `${JSON.stringify(key)} is not a valid taint key: ${problem}`);
  }
  if ((key === undefined || key === '') && operator !== 'Exists') {
    fail(`${at}.operator`, 'a toleration without a key tolerates every taint and must have operator Exists');
  }
  if (value !== undefined) {
    if (typeof value !== 'string') fail(`${at}.value`, `expected a string, got ${JSON.stringify(value)}`);
    if (operator === 'Exists' && value !== '') fail(`${at}.value`, 'operator Exists takes no value');
    const problem = labelValueProblem(value);
    if (problem !== undefined) fail(`${at}.value`, problem);
  }
  if (tolerationSeconds !== undefined) {
    if (
      typeof tolerationSeconds !== 'number' ||
      !Number.isSafeInteger(tolerationSeconds) ||
      tolerationSeconds < 0
    ) {
      fail(
        `${at}.tolerationSeconds`,
        `expected a whole number of seconds, got ${JSON.stringify(tolerationSeconds)}`,
      );
    }
    if (effect !== 'NoExecute')
      fail(`${at}.tolerationSeconds`, 'only a toleration with effect NoExecute has tolerationSeconds');
  }
  return {
    ...(key === undefined || key === '' ? {} : { key }),
    operator,
    ...(value === undefined || value === '' ? {} : { value }),
    ...(effect === undefined ? {} : { effect }),
    ...(tolerationSeconds === undefined ? {} : { tolerationSeconds: tolerationSeconds }),
  };
}

export function parseTolerations(value: unknown, field: string): Toleration[] {
  if (!Array.isArray(value)) {
    fail(field, 'expected a list such as [{"key": "dedicated", "value": "spark", "effect": "NoSchedule"}]');
  }
  return value.map((entry: unknown, index) => parseToleration(entry, `${field}[${String(index)}]`));
}

export const parseNodeSelector = (value: unknown, field: string): Record<string, string> =>
  stringMap(value, field, 'label', false);
export const parseLabels = (value: unknown, field: string): Record<string, string> =>
  stringMap(value, field, 'label', true);
export const parseAnnotations = (value: unknown, field: string): Record<string, string> =>
  stringMap(value, field, 'annotation', true);

/** Checks each of the fields the request has; absent ones stay absent. */
export function parsePodSettings(config: Readonly<Record<string, unknown>>, prefix = 'config'): PodSettings {
  const out: { -readonly [K in keyof PodSettings]: PodSettings[K] } = {};
  if (config.nodeSelector !== undefined) {
    out.nodeSelector = parseNodeSelector(config.nodeSelector, `${prefix}.nodeSelector`);
  }
  if (config.tolerations !== undefined) {
    out.tolerations = parseTolerations(config.tolerations, `${prefix}.tolerations`);
  }
  if (config.labels !== undefined) out.labels = parseLabels(config.labels, `${prefix}.labels`);
  if (config.annotations !== undefined) {
    out.annotations = parseAnnotations(config.annotations, `${prefix}.annotations`);
  }
  if (config.env !== undefined) out.env = parseEnv(config.env, `${prefix}.env`);
  if (config.imagePullSecrets !== undefined) {
    out.imagePullSecrets = parseImagePullSecrets(config.imagePullSecrets, `${prefix}.imagePullSecrets`);
  }
  return out;
}
