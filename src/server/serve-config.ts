import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { assertImageReference, parseRunAsUser } from '../core/cluster-config.js';
import type { RunAsUser } from '../core/cluster.js';
import { parseImagePullSecrets } from '../core/pod-settings.js';
import { ConfigurationError } from '../core/errors.js';
import type { DriverKind } from '../core/driver.js';

/** Everything `oshinko serve` needs, parsed and validated once from flags and environment, then frozen. */
export interface ServeConfig {
  readonly driver: DriverKind;
  /** Where the driver was chosen: a flag, the environment, or found (a kubeconfig or a pod's service account). */
  readonly driverFrom: DriverOrigin;
  readonly host: string;
  readonly port: number;
  /** Install-time default image; undefined means the driver's own default. */
  readonly defaultImage: string | undefined;
  /** OSHINKO_IMAGE_PULL_SECRETS: pull secrets of every cluster that names none (Kubernetes driver only). */
  readonly imagePullSecrets: readonly string[];
  /**
   * OSHINKO_RUN_AS_USER: the UID of every cluster that names none, or `image` for none (Kubernetes driver only);
   * unset: 185 on Kubernetes, none on OpenShift.
   */
  readonly runAsUser: RunAsUser | undefined;
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined;
  /** Kubernetes without Routes: expose each web UI with an Ingress on `<cluster>-ui-<namespace>.<domain>`. */
  readonly ingressDomain: string | undefined;
  readonly ingressClass: string | undefined;
  readonly oshinkoHome: string;
  readonly sparkHome: string | undefined;
  /**
   * The environment of the processes the local driver starts: its Spark daemons inherit it (JAVA_HOME, PATH,
   * SPARK_DAEMON_JAVA_OPTS...), and it finds java and the executors' Python with it.
   */
  readonly processEnv: Env;
  /** KUBERNETES_SERVICE_HOST, which the kubelet sets in a pod: the Kubernetes driver then uses the service account. */
  readonly kubernetesServiceHost: string | undefined;
  readonly maxWorkers: number;
  readonly maxClusters: number;
  readonly allowCustomImages: boolean;
  readonly allowedImages: readonly string[];
  readonly token: string | undefined;
  readonly allowInsecureRemote: boolean;
  readonly corsOrigins: readonly string[];
  readonly bodyLimit: number;
  /** Longest time the server works on one request before it answers 504 (milliseconds). */
  readonly requestTimeoutMs: number;
  /** Longest time one Kubernetes API request may take (milliseconds). */
  readonly kubeRequestTimeoutMs: number;
  /** Serve Kubernetes reads from a watch-fed cache (OSHINKO_KUBE_WATCH, default true). */
  readonly kubeWatch: boolean;
  readonly logLevel: string;
}

export interface ServeFlags {
  driver?: string | undefined;
  host?: string | undefined;
  port?: string | undefined;
  defaultImage?: string | undefined;
  kubeconfig?: string | undefined;
  namespace?: string | undefined;
  home?: string | undefined;
  tokenFile?: string | undefined;
  allowInsecureRemote?: boolean | undefined;
  logLevel?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export type DriverOrigin = '--driver' | 'OSHINKO_DRIVER' | 'detected';

/** The log levels of the server's logger (pino), from the least to the most verbose; `silent` logs nothing. */
export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Every setting of `oshinko serve` the environment gives, with what it sets (a flag of the same setting wins). The
 * help of `oshinko serve` lists them from here; the README's configuration table and what this module reads are
 * checked against this list (test/docs/config-docs.test.ts), so that none is left out.
 */
export const SERVE_ENV: readonly (readonly [name: string, meaning: string])[] = [
  ['OSHINKO_DRIVER', 'kubernetes or local (--driver)'],
  ['OSHINKO_HOST', 'listen address (--host)'],
  ['OSHINKO_PORT', 'listen port (--port)'],
  ['OSHINKO_CLUSTER_IMAGE', 'image of clusters that name none (--default-image)'],
  ['KUBECONFIG', 'Kubernetes credentials (--kubeconfig)'],
  ['OSHINKO_NAMESPACE', 'namespace of the clusters (--namespace)'],
  ['OSHINKO_INGRESS_DOMAIN', 'Kubernetes without Routes: an Ingress per web UI under this domain'],
  ['OSHINKO_INGRESS_CLASS', 'the class of those Ingresses'],
  ['OSHINKO_HOME', 'local driver data directory (--home)'],
  ['SPARK_HOME', 'local driver: the Spark home of the default image'],
  ['OSHINKO_TOKEN', 'bearer token required on every API call'],
  ['OSHINKO_TOKEN_FILE', 'a file holding that token (--token-file)'],
  ['OSHINKO_CORS_ORIGINS', 'comma-separated origins allowed to call the API from a browser'],
  ['OSHINKO_ALLOW_CUSTOM_IMAGES', 'false refuses every image but the default'],
  ['OSHINKO_ALLOWED_IMAGES', 'comma-separated patterns custom images must match'],
  ['OSHINKO_IMAGE_PULL_SECRETS', 'Kubernetes: comma-separated pull Secrets of clusters that name none'],
  [
    'OSHINKO_RUN_AS_USER',
    "Kubernetes: the pods' UID of clusters that name none, or image (185; OpenShift: none)",
  ],
  ['OSHINKO_MAX_WORKERS', 'workers per cluster (64)'],
  ['OSHINKO_MAX_CLUSTERS', 'clusters per server (1000)'],
  ['OSHINKO_BODY_LIMIT', 'request body size in bytes (65536)'],
  ['OSHINKO_REQUEST_TIMEOUT_MS', 'answer 504 after this long (120000)'],
  ['OSHINKO_KUBE_REQUEST_TIMEOUT_MS', 'abandon a Kubernetes API request after this long (30000)'],
  ['OSHINKO_KUBE_WATCH', 'false: no watch-fed cache of Kubernetes reads'],
  ['OSHINKO_LOG_LEVEL', 'log level (--log-level)'],
];

/** An empty environment variable counts as unset. */
function set(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function integer(value: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new ConfigurationError(
      `invalid ${name} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}`,
    );
  }
  return Number(value);
}

function boolean(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new ConfigurationError(`invalid ${name} ${JSON.stringify(value)}: expected true or false`);
}

function hostname(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (
    value.length > 253 ||
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value)
  ) {
    throw new ConfigurationError(
      `invalid ${name} ${JSON.stringify(value)}: expected a DNS domain such as apps.example.com`,
    );
  }
  return value;
}

/**
 * --port, else OSHINKO_PORT, else 8080. In a pod, the kubelet sets OSHINKO_PORT=tcp://<ip>:<port> for a Service
 * named oshinko in the namespace (a Docker-style service link) unless the pod has `enableServiceLinks: false`:
 * that is not a setting of ours, and the error says so rather than only "not an integer".
 */
function parsePort(flag: string | undefined, variable: string | undefined): number {
  if (flag !== undefined) return integer(flag, '--port', 0, 65535);
  if (variable === undefined) return 8080;
  if (/^(tcp|udp|sctp):\/\//.test(variable)) {
    throw new ConfigurationError(
      `invalid OSHINKO_PORT ${JSON.stringify(variable)}: that is the Kubernetes service link of a Service named oshinko in this namespace, not a port; give the pod enableServiceLinks: false (as deploy/kubernetes does), or set OSHINKO_PORT or --port`,
    );
  }
  return integer(variable, 'OSHINKO_PORT', 0, 65535);
}

/** A listen address: an IP address, `localhost` or a host name; checked here so that no driver starts first. */
function listenHost(flag: string | undefined, variable: string | undefined): string {
  const value = flag ?? variable ?? '127.0.0.1';
  const name = flag !== undefined ? '--host' : 'OSHINKO_HOST';
  const hostName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;
  if (isIP(value) === 0 && (value.length > 253 || !hostName.test(value))) {
    throw new ConfigurationError(
      `invalid ${name} ${JSON.stringify(value)}: expected an IP address or a host name to listen on, such as 127.0.0.1, 0.0.0.0, :: or localhost`,
    );
  }
  return value;
}

function logLevel(flag: string | undefined, variable: string | undefined): string {
  const value = flag ?? variable ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      `invalid ${flag !== undefined ? '--log-level' : 'OSHINKO_LOG_LEVEL'} ${JSON.stringify(value)}: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return value;
}

/** The user's data directory for oshinko, following XDG on Linux. */
export function defaultOshinkoHome(env: Env): string {
  const dataHome = env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return join(dataHome, 'oshinko');
}

/** Kubernetes counts as configured when a kubeconfig is named or present, or we run inside a pod. */
export function kubernetesConfigured(flags: ServeFlags, env: Env): boolean {
  return (
    flags.kubeconfig !== undefined ||
    (env.KUBECONFIG ?? '') !== '' ||
    (env.KUBERNETES_SERVICE_HOST ?? '') !== '' ||
    existsSync(join(homedir(), '.kube', 'config'))
  );
}

/** OSHINKO_IMAGE_PULL_SECRETS: Secret names separated by commas; the local driver pulls nothing. */
function pullSecrets(value: string | undefined, driver: DriverKind): readonly string[] {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return Object.freeze([]);
  if (driver === 'local') {
    throw new ConfigurationError(
      `OSHINKO_IMAGE_PULL_SECRETS ${JSON.stringify(value)} is for the Kubernetes driver: the local driver runs images from its own store and pulls nothing; unset it`,
    );
  }
  try {
    return Object.freeze(parseImagePullSecrets(names, 'OSHINKO_IMAGE_PULL_SECRETS'));
  } catch (error) {
    throw new ConfigurationError((error as Error).message);
  }
}

/** OSHINKO_RUN_AS_USER: a UID or `image`; the local driver runs every process as the server's own user. */
function runAsUser(value: string | undefined, driver: DriverKind): RunAsUser | undefined {
  if (value === undefined) return undefined;
  if (driver === 'local') {
    throw new ConfigurationError(
      `OSHINKO_RUN_AS_USER ${JSON.stringify(value)} is for the Kubernetes driver: the local driver runs every Spark process as the server's own user; unset it`,
    );
  }
  try {
    return parseRunAsUser(value, 'OSHINKO_RUN_AS_USER');
  } catch (error) {
    throw new ConfigurationError((error as Error).message);
  }
}

export function parseServeConfig(flags: ServeFlags, env: Env): ServeConfig {
  const driverFrom: DriverOrigin =
    flags.driver !== undefined
      ? '--driver'
      : set(env.OSHINKO_DRIVER) !== undefined
        ? 'OSHINKO_DRIVER'
        : 'detected';
  const driverText =
    flags.driver ?? set(env.OSHINKO_DRIVER) ?? (kubernetesConfigured(flags, env) ? 'kubernetes' : 'local');
  if (driverText !== 'kubernetes' && driverText !== 'local') {
    throw new ConfigurationError(
      `invalid ${driverFrom} ${JSON.stringify(driverText)}: expected kubernetes or local`,
    );
  }
  const host = listenHost(flags.host, set(env.OSHINKO_HOST));
  const level = logLevel(flags.logLevel, set(env.OSHINKO_LOG_LEVEL));
  const port = parsePort(flags.port, env.OSHINKO_PORT);
  const defaultImage = flags.defaultImage ?? set(env.OSHINKO_CLUSTER_IMAGE);
  if (defaultImage !== undefined) {
    try {
      assertImageReference(
        defaultImage,
        flags.defaultImage !== undefined ? '--default-image' : 'OSHINKO_CLUSTER_IMAGE',
      );
    } catch (error) {
      throw new ConfigurationError((error as Error).message);
    }
  }
  const imagePullSecrets = pullSecrets(env.OSHINKO_IMAGE_PULL_SECRETS, driverText);
  let token = set(env.OSHINKO_TOKEN);
  const tokenFile = flags.tokenFile ?? set(env.OSHINKO_TOKEN_FILE);
  if (tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new ConfigurationError(
        `cannot read --token-file ${JSON.stringify(tokenFile)}: ${(error as Error).message}`,
      );
    }
    if (token === '') throw new ConfigurationError(`--token-file ${JSON.stringify(tokenFile)} is empty`);
  }
  const allowedImages = (env.OSHINKO_ALLOWED_IMAGES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return Object.freeze({
    driver: driverText,
    driverFrom,
    host,
    port,
    defaultImage,
    imagePullSecrets,
    runAsUser: runAsUser(set(env.OSHINKO_RUN_AS_USER), driverText),
    kubeconfig: flags.kubeconfig ?? set(env.KUBECONFIG),
    namespace: flags.namespace ?? set(env.OSHINKO_NAMESPACE),
    ingressDomain: hostname(set(env.OSHINKO_INGRESS_DOMAIN), 'OSHINKO_INGRESS_DOMAIN'),
    ingressClass: set(env.OSHINKO_INGRESS_CLASS),
    oshinkoHome: flags.home ?? set(env.OSHINKO_HOME) ?? defaultOshinkoHome(env),
    sparkHome: set(env.SPARK_HOME),
    processEnv: Object.freeze({ ...env }),
    kubernetesServiceHost: set(env.KUBERNETES_SERVICE_HOST),
    maxWorkers: integer(env.OSHINKO_MAX_WORKERS ?? '64', 'OSHINKO_MAX_WORKERS', 0, 10_000),
    maxClusters: integer(env.OSHINKO_MAX_CLUSTERS ?? '1000', 'OSHINKO_MAX_CLUSTERS', 1, 1_000_000),
    allowCustomImages: boolean(env.OSHINKO_ALLOW_CUSTOM_IMAGES ?? 'true', 'OSHINKO_ALLOW_CUSTOM_IMAGES'),
    allowedImages: Object.freeze(allowedImages),
    token,
    allowInsecureRemote: flags.allowInsecureRemote ?? false,
    corsOrigins: Object.freeze(
      (env.OSHINKO_CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    ),
    bodyLimit: integer(
      env.OSHINKO_BODY_LIMIT ?? String(64 * 1024),
      'OSHINKO_BODY_LIMIT',
      1024,
      16 * 1024 * 1024,
    ),
    requestTimeoutMs: integer(
      env.OSHINKO_REQUEST_TIMEOUT_MS ?? '120000',
      'OSHINKO_REQUEST_TIMEOUT_MS',
      100,
      3_600_000,
    ),
    kubeRequestTimeoutMs: integer(
      env.OSHINKO_KUBE_REQUEST_TIMEOUT_MS ?? '30000',
      'OSHINKO_KUBE_REQUEST_TIMEOUT_MS',
      100,
      600_000,
    ),
    kubeWatch: boolean(env.OSHINKO_KUBE_WATCH ?? 'true', 'OSHINKO_KUBE_WATCH'),
    logLevel: level,
  });
}
