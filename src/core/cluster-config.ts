import {
  IMAGE_USER,
  MAX_UID,
  PULL_POLICIES,
  type PullPolicy,
  type RunAsUser,
  METRICS_MODES,
  type ClusterConfig,
  type ImageSource,
  type MetricsMode,
  type ResolvedClusterConfig,
} from './cluster.js';
import { configNameProblem } from './cluster-name.js';
import { InvalidInputError, UnprocessableError } from './errors.js';
import { parseImageReference } from './image-ref.js';
import { parseImagePullSecrets, parsePodSettings } from './pod-settings.js';
import { parseResources } from './resources.js';

/** The `config` object of a create or update request, after schema validation. */
export interface ClusterConfigRequest {
  readonly name?: string | undefined;
  readonly masterCount?: number | undefined;
  readonly workerCount?: number | undefined;
  readonly sparkMasterConfig?: string | undefined;
  readonly sparkWorkerConfig?: string | undefined;
  readonly sparkImage?: string | undefined;
  /** The design spec's name for `sparkImage`; both are accepted as one field. */
  readonly imageUrl?: string | undefined;
  readonly exposeWebUI?: boolean | string | undefined;
  readonly metrics?: boolean | string | undefined;
  readonly imagePullPolicy?: string | undefined;
  readonly runAsUser?: number | string | undefined;
  readonly masterResources?: unknown;
  readonly workerResources?: unknown;
  readonly imagePullSecrets?: unknown;
  readonly nodeSelector?: unknown;
  readonly tolerations?: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
  readonly env?: unknown;
}

/** Where stored cluster configurations live: ConfigMaps on Kubernetes, files on the local driver. */
export interface StoredConfigSource {
  /** Key/value pairs of the named configuration, or undefined when there is none. */
  read(name: string): Promise<Readonly<Record<string, string>> | undefined>;
  /** How to name the configuration in an error message, e.g. "ConfigMap 'small'". */
  describe(name: string): string;
}

export const DEFAULT_STORED_CONFIG = 'default-oshinko-cluster-config';
export const MAX_MASTERS = 1;
export const STORED_CONFIG_KEYS = [
  'mastercount',
  'workercount',
  'sparkmasterconfig',
  'sparkworkerconfig',
  'sparkimage',
  'exposeui',
  'metrics',
  'imagepullpolicy',
  'imagepullsecrets',
  'runasuser',
  'mastercpu',
  'mastermemory',
  'workercpu',
  'workermemory',
  'nodeselector',
  'tolerations',
  'labels',
  'annotations',
  'env',
] as const;

/** The stored keys holding JSON, and the config field each is parsed as. */
const JSON_KEYS: Readonly<Record<string, string>> = {
  nodeselector: 'nodeSelector',
  tolerations: 'tolerations',
  labels: 'labels',
  annotations: 'annotations',
  env: 'env',
};

function parseJson(raw: string, field: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new InvalidInputError(`invalid ${field}: not JSON (${(error as Error).message})`, { field });
  }
}

/** `mastercpu` and the like: one quantity of a role's resources, checked as the request's would be. */
function storedResource(
  out: Overrides,
  key: 'mastercpu' | 'mastermemory' | 'workercpu' | 'workermemory',
  raw: string,
  field: string,
): void {
  const role = key.startsWith('master') ? 'master' : 'worker';
  const target = role === 'master' ? 'masterResources' : 'workerResources';
  const which = key.endsWith('cpu') ? 'cpu' : 'memory';
  const merged = { ...out[target], [which]: raw.trim() };
  parseResources({ [which]: raw.trim() }, field, role);
  out[target] = merged;
}

type Overrides = { -readonly [K in keyof ClusterConfig]?: ClusterConfig[K] };

export function builtinDefaults(defaultImage: string): ClusterConfig {
  return {
    masterCount: 1,
    workerCount: 1,
    sparkMasterConfig: '',
    sparkWorkerConfig: '',
    sparkImage: defaultImage,
    exposeWebUI: true,
    metrics: 'false',
  };
}

/** Validates an image reference and names the field in the error. */
export function assertImageReference(image: string, field: string): void {
  const result = parseImageReference(image);
  if (!result.ok) {
    throw new InvalidInputError(`invalid ${field} ${JSON.stringify(image)}: ${result.reason}`, { field });
  }
}

/** `sparkImage` and `imageUrl` are one field under two names; giving both with different values is an error. */
export function requestedImage(config: ClusterConfigRequest | undefined): string | undefined {
  const { sparkImage, imageUrl } = config ?? {};
  if (sparkImage !== undefined && imageUrl !== undefined && sparkImage !== imageUrl) {
    throw new InvalidInputError(
      `config.sparkImage ${JSON.stringify(sparkImage)} and config.imageUrl ${JSON.stringify(imageUrl)} name the same field with different values; give one of them`,
      { field: 'config.sparkImage' },
    );
  }
  const image = sparkImage ?? imageUrl;
  if (image === undefined || image === '') return undefined;
  assertImageReference(image, sparkImage !== undefined ? 'config.sparkImage' : 'config.imageUrl');
  return image;
}

function parseBoolean(value: string | boolean, field: string): boolean {
  if (typeof value === 'boolean') return value;
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new InvalidInputError(`invalid ${field} ${JSON.stringify(value)}: expected true or false`, { field });
}

function parseMetrics(value: string | boolean, field: string): MetricsMode {
  const text = typeof value === 'boolean' ? String(value) : value.trim().toLowerCase();
  if ((METRICS_MODES as readonly string[]).includes(text)) return text as MetricsMode;
  throw new InvalidInputError(
    `invalid ${field} ${JSON.stringify(value)}: expected one of ${METRICS_MODES.join(', ')}`,
    { field },
  );
}

/** Exactly as Kubernetes spells them: the API server refuses `always`, so do we. */
export function parsePullPolicy(value: string, field: string): PullPolicy {
  if ((PULL_POLICIES as readonly string[]).includes(value)) return value as PullPolicy;
  throw new InvalidInputError(
    `invalid ${field} ${JSON.stringify(value)}: expected one of ${PULL_POLICIES.join(', ')}`,
    { field },
  );
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
  throw new InvalidInputError(
    `invalid ${field} ${JSON.stringify(value)}: expected a UID from 1 to ${String(MAX_UID)}, or "${IMAGE_USER}" to set none (the image's own user, or the one the platform assigns)`,
    { field },
  );
}

function parseCount(value: string | number, field: string, max: number): number {
  const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0 || number > max) {
    throw new InvalidInputError(
      `invalid ${field} ${JSON.stringify(value)}: expected an integer from 0 to ${max}`,
      {
        field,
      },
    );
  }
  return number;
}

function parseConfigName(value: string, field: string): string {
  if (value === '') return value;
  const problem = configNameProblem(value);
  if (problem)
    throw new InvalidInputError(`invalid ${field} ${JSON.stringify(value)}: ${problem}`, { field });
  return value;
}

/** Reads one stored configuration; errors name the configuration and the key. */
async function readStored(
  source: StoredConfigSource,
  name: string,
  maxWorkers: number,
): Promise<Overrides | undefined> {
  const data = await source.read(name);
  if (data === undefined) return undefined;
  const out: Overrides = {};
  for (const [key, raw] of Object.entries(data)) {
    const field = `${name}.${key}`;
    const where = `${source.describe(name)}, key '${key}'`;
    try {
      switch (key) {
        case 'mastercount':
          out.masterCount = parseCount(raw, field, MAX_MASTERS);
          break;
        case 'workercount':
          out.workerCount = parseCount(raw, field, maxWorkers);
          break;
        case 'sparkmasterconfig':
          out.sparkMasterConfig = parseConfigName(raw.trim(), field);
          break;
        case 'sparkworkerconfig':
          out.sparkWorkerConfig = parseConfigName(raw.trim(), field);
          break;
        case 'sparkimage':
          if (raw.trim() !== '') {
            assertImageReference(raw.trim(), field);
            out.sparkImage = raw.trim();
          }
          break;
        case 'exposeui':
          out.exposeWebUI = parseBoolean(raw, field);
          break;
        case 'metrics':
          out.metrics = parseMetrics(raw, field);
          break;
        case 'imagepullpolicy':
          out.imagePullPolicy = parsePullPolicy(raw.trim(), field);
          break;
        case 'runasuser':
          out.runAsUser = parseRunAsUser(raw, field);
          break;
        case 'imagepullsecrets':
          out.imagePullSecrets = parseImagePullSecrets(
            raw.split(/[\s,]+/).filter((secret) => secret !== ''),
            field,
          );
          break;
        case 'mastercpu':
        case 'mastermemory':
        case 'workercpu':
        case 'workermemory':
          storedResource(out, key, raw, field);
          break;
        case 'nodeselector':
        case 'tolerations':
        case 'labels':
        case 'annotations':
        case 'env': {
          const target = JSON_KEYS[key] ?? key;
          Object.assign(out, parsePodSettings({ [target]: parseJson(raw, field) }, name));
          break;
        }
        default:
          throw new UnprocessableError(
            `unknown key '${key}' (${field}); the keys a stored cluster configuration may have are ${STORED_CONFIG_KEYS.join(', ')}`,
          );
      }
    } catch (error) {
      if (error instanceof Error) {
        throw new UnprocessableError(`stored cluster configuration error in ${where}: ${error.message}`, {
          field: 'config.name',
        });
      }
      throw error;
    }
  }
  return out;
}

export interface ResolveOptions {
  readonly defaultImage: string;
  /** Pull secrets of a cluster whose request and stored configurations name none (OSHINKO_IMAGE_PULL_SECRETS). */
  readonly defaultImagePullSecrets?: readonly string[] | undefined;
  /** The UID of a cluster whose request and stored configurations name none (OSHINKO_RUN_AS_USER), if set. */
  readonly defaultRunAsUser?: RunAsUser | undefined;
  readonly storedConfigs: StoredConfigSource;
  readonly maxWorkers: number;
}

/**
 * Merges, later winning: built-in defaults <- `default-oshinko-cluster-config` <- the named stored config <-
 * explicit request fields. The image follows the same order and its origin is recorded.
 */
export async function resolveClusterConfig(
  request: ClusterConfigRequest | undefined,
  options: ResolveOptions,
): Promise<ResolvedClusterConfig> {
  const image = requestedImage(request);
  const storedName = request?.name === undefined || request.name === '' ? undefined : request.name;
  if (storedName !== undefined) parseConfigName(storedName, 'config.name');

  const merged: Overrides = { ...builtinDefaults(options.defaultImage) };
  let imageSource: ResolvedClusterConfig['imageSource'] = 'default';

  const base = await readStored(options.storedConfigs, DEFAULT_STORED_CONFIG, options.maxWorkers);
  if (base) {
    Object.assign(merged, base);
    if (base.sparkImage !== undefined) imageSource = 'stored-config';
  }
  if (storedName !== undefined && storedName !== DEFAULT_STORED_CONFIG) {
    const named = await readStored(options.storedConfigs, storedName, options.maxWorkers);
    if (named === undefined) {
      throw new UnprocessableError(`named config '${storedName}' does not exist`, { field: 'config.name' });
    }
    Object.assign(merged, named);
    if (named.sparkImage !== undefined) imageSource = 'stored-config';
  }

  if (request?.masterCount !== undefined)
    merged.masterCount = parseCount(request.masterCount, 'config.masterCount', MAX_MASTERS);
  if (request?.workerCount !== undefined) {
    merged.workerCount = parseCount(request.workerCount, 'config.workerCount', options.maxWorkers);
  }
  if (request?.sparkMasterConfig !== undefined) {
    merged.sparkMasterConfig = parseConfigName(request.sparkMasterConfig, 'config.sparkMasterConfig');
  }
  if (request?.sparkWorkerConfig !== undefined) {
    merged.sparkWorkerConfig = parseConfigName(request.sparkWorkerConfig, 'config.sparkWorkerConfig');
  }
  if (request?.exposeWebUI !== undefined)
    merged.exposeWebUI = parseBoolean(request.exposeWebUI, 'config.exposeWebUI');
  if (request?.metrics !== undefined) merged.metrics = parseMetrics(request.metrics, 'config.metrics');
  if (request?.imagePullPolicy !== undefined) {
    merged.imagePullPolicy = parsePullPolicy(request.imagePullPolicy, 'config.imagePullPolicy');
  }
  if (request?.runAsUser !== undefined) {
    merged.runAsUser = parseRunAsUser(request.runAsUser, 'config.runAsUser');
  }
  // Still unset: the Kubernetes driver chooses by the platform (185, or none on OpenShift).
  if (merged.runAsUser === undefined && options.defaultRunAsUser !== undefined) {
    merged.runAsUser = options.defaultRunAsUser;
  }
  if (request !== undefined) Object.assign(merged, parsePodSettings(request as Record<string, unknown>));
  if (request?.masterResources !== undefined) {
    merged.masterResources = parseResources(request.masterResources, 'config.masterResources', 'master');
  }
  if (request?.workerResources !== undefined) {
    merged.workerResources = parseResources(request.workerResources, 'config.workerResources', 'worker');
  }
  if (image !== undefined) {
    merged.sparkImage = image;
    imageSource = 'request';
  }
  const pullSecretsSource = pullSecretsOrigin(request, merged);
  if (merged.imagePullSecrets === undefined && (options.defaultImagePullSecrets ?? []).length > 0) {
    merged.imagePullSecrets = options.defaultImagePullSecrets;
  }
  return {
    config: Object.freeze(merged as ClusterConfig),
    imageSource,
    storedConfig: storedName,
    ...(merged.imagePullSecrets === undefined ? {} : { pullSecretsSource }),
  };
}

/** Where the pull secrets come from, to name it when one is missing. */
function pullSecretsOrigin(request: ClusterConfigRequest | undefined, merged: Overrides): ImageSource {
  if (request?.imagePullSecrets !== undefined) return 'request';
  return merged.imagePullSecrets === undefined ? 'default' : 'stored-config';
}

export { parseCount, parseBoolean, parseMetrics };
