/**
 * Where a cluster's pods run and what they carry besides Spark: `config.nodeSelector`, `config.labels`,
 * `config.annotations` and `config.env`, checked by the rules the Kubernetes API server applies, so that it never
 * refuses what oshinko accepted. Pure.
 */
import { InvalidInputError } from './errors.js';

export interface EnvVar {
  readonly name: string;
  /** A plain value, or */
  readonly value?: string | undefined;
  /** a key of a Secret in the cluster's namespace. */
  readonly secretKeyRef?: { readonly name: string; readonly key: string } | undefined;
}

export interface PodSettings {
  readonly nodeSelector?: Readonly<Record<string, string>> | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly env?: readonly EnvVar[] | undefined;
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

function fail(field: string, message: string): never {
  throw new InvalidInputError(`invalid ${field}: ${message}`, { field });
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
    if (kind === 'label' && raw !== '' && (raw.length > 63 || !NAME.test(raw))) {
      fail(
        at,
        `${JSON.stringify(raw)} is not a valid label value: at most 63 characters, letters, digits, -, _ and ., starting and ending with a letter or digit`,
      );
    }
    out[key] = raw;
  }
  if (kind === 'annotation' && JSON.stringify(out).length > 128 * 1024) {
    fail(field, 'the annotations are larger than 128 KiB');
  }
  return out;
}

function parseEnv(value: unknown, field: string): EnvVar[] {
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
    if (seen.has(name)) fail(`${at}.name`, `${name} is given twice`);
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
    if (typeof secret !== 'string' || secret.length > 253 || !DNS_SUBDOMAIN.test(secret)) {
      fail(`${at}.secretKeyRef.name`, `${JSON.stringify(secret)} is not a valid Secret name`);
    }
    if (typeof key !== 'string' || key.length > 253 || !SECRET_KEY.test(key)) {
      fail(
        `${at}.secretKeyRef.key`,
        `${JSON.stringify(key)} is not a valid Secret key (letters, digits, -, _ and .)`,
      );
    }
    return { name, secretKeyRef: { name: secret, key } };
  });
}

/** Checks each of the four fields the request has; absent ones stay absent. */
export function parsePodSettings(config: Readonly<Record<string, unknown>>): PodSettings {
  const out: { -readonly [K in keyof PodSettings]: PodSettings[K] } = {};
  if (config.nodeSelector !== undefined) {
    out.nodeSelector = stringMap(config.nodeSelector, 'config.nodeSelector', 'label', false);
  }
  if (config.labels !== undefined) out.labels = stringMap(config.labels, 'config.labels', 'label', true);
  if (config.annotations !== undefined) {
    out.annotations = stringMap(config.annotations, 'config.annotations', 'annotation', true);
  }
  if (config.env !== undefined) out.env = parseEnv(config.env, 'config.env');
  return out;
}
