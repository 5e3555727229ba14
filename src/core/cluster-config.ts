/**
 * A cluster's configuration from its request: built-in defaults <- stored configurations <- the request's fields,
 * each read and checked by its row of the settings table (cluster-settings.ts).
 */
import type { ImageSource, ResolvedClusterConfig, RunAsUser } from './cluster.js';
import {
  isSet,
  SETTINGS,
  STORED_KEY_SETTINGS,
  type AnySetting,
  type ClusterConfig,
  type ParseContext,
  type SettingKey,
} from './cluster-settings.js';
import { InvalidInputError, isOshinkoError, UnprocessableError } from './errors.js';
import { assertImageReference, parseConfigName } from './setting-values.js';

export {
  assertImageReference,
  MAX_MASTERS,
  parseBoolean,
  parseConfigName,
  parseCount,
  parseMetrics,
  parsePullPolicy,
  parseRunAsUser,
} from './setting-values.js';

/**
 * The `config` object of a create or update request, after schema validation: `name` (a stored configuration to
 * start from), a field per setting, and `imageUrl`, the design spec's name for `sparkImage`.
 */
export type ClusterConfigRequest = {
  readonly name?: string | undefined;
  readonly imageUrl?: string | undefined;
} & Readonly<Partial<Record<SettingKey, unknown>>>;

/** Where stored cluster configurations live: ConfigMaps on Kubernetes, files on the local driver. */
export interface StoredConfigSource {
  /** Key/value pairs of the named configuration, or undefined when there is none. */
  read(name: string): Promise<Readonly<Record<string, string>> | undefined>;
  /** How to name the configuration in an error message, e.g. "ConfigMap 'small'". */
  describe(name: string): string;
}

export const DEFAULT_STORED_CONFIG = 'default-oshinko-cluster-config';
export const STORED_CONFIG_KEYS: readonly string[] = [...STORED_KEY_SETTINGS.keys()];

type Overrides = { -readonly [K in keyof ClusterConfig]?: ClusterConfig[K] };

export function builtinDefaults(defaultImage: string): ClusterConfig {
  const defaults: Record<string, unknown> = {};
  for (const row of SETTINGS) if (row.default !== undefined) defaults[row.key] = row.default(defaultImage);
  return defaults as unknown as ClusterConfig;
}

/** `sparkImage` and `imageUrl` are one field under two names; giving both with different values is an error. */
export function requestedImage(config: ClusterConfigRequest | undefined): string | undefined {
  const { sparkImage, imageUrl } = (config ?? {}) as { sparkImage?: string; imageUrl?: string };
  if (sparkImage !== undefined && imageUrl !== undefined && sparkImage !== imageUrl) {
    throw new InvalidInputError(
      `config.sparkImage ${JSON.stringify(sparkImage)} and config.imageUrl ${JSON.stringify(imageUrl)} name the same field with different values; give one of them`,
      {
        field: 'config.sparkImage',
        value: sparkImage,
        rule: 'config.imageUrl names the same field: give one of them',
      },
    );
  }
  const image = sparkImage ?? imageUrl;
  if (image === undefined || image === '') return undefined;
  assertImageReference(image, imageField(config));
  return image;
}

/** The name the request gave its image under. */
export function imageField(config: ClusterConfigRequest | undefined): string {
  return config?.imageUrl !== undefined && config.sparkImage === undefined
    ? 'config.imageUrl'
    : 'config.sparkImage';
}

/** Reads one stored configuration; errors name the configuration and the key. */
async function readStored(
  source: StoredConfigSource,
  name: string,
  context: ParseContext,
): Promise<Overrides | undefined> {
  const data = await source.read(name);
  if (data === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(data)) {
    const row = STORED_KEY_SETTINGS.get(key);
    if (row === undefined) {
      throw new UnprocessableError(
        `stored cluster configuration error in ${source.describe(name)}, key '${key}': unknown key '${key}' (${name}.${key}); the keys a stored cluster configuration may have are ${STORED_CONFIG_KEYS.join(', ')}`,
        { field: 'config.name' },
      );
    }
    try {
      const field = `${name}.${key}`;
      const value =
        row.stored?.read === undefined
          ? row.parse(raw, field, context)
          : row.stored.read(raw, key, field, out[row.key], context);
      if (value !== undefined) out[row.key] = value;
    } catch (error) {
      // A rule the stored text broke is the request's problem (it named the configuration); anything else is ours.
      if (!isOshinkoError(error)) throw error;
      throw new UnprocessableError(
        `stored cluster configuration error in ${source.describe(name)}, key '${key}': ${error.message}`,
        { field: 'config.name' },
      );
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

/** The request's settings, each checked by its row; absent ones stay absent, the image is `requestedImage`'s. */
export function parseRequestSettings(
  request: ClusterConfigRequest,
  context: ParseContext,
): { readonly values: Overrides; readonly rows: readonly AnySetting[] } {
  const values: Record<string, unknown> = {};
  const rows: AnySetting[] = [];
  for (const row of SETTINGS) {
    if (row.key === 'sparkImage') continue;
    const value = request[row.key];
    if (value === undefined) continue;
    values[row.key] = row.parse(value, `config.${row.key}`, context);
    rows.push(row);
  }
  return { values: values, rows };
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
  const context: ParseContext = { maxWorkers: options.maxWorkers };

  const merged: Overrides = { ...builtinDefaults(options.defaultImage) };
  let imageSource: ImageSource = 'default';

  const base = await readStored(options.storedConfigs, DEFAULT_STORED_CONFIG, context);
  if (base) {
    Object.assign(merged, base);
    if (base.sparkImage !== undefined) imageSource = 'stored-config';
  }
  if (storedName !== undefined && storedName !== DEFAULT_STORED_CONFIG) {
    const named = await readStored(options.storedConfigs, storedName, context);
    if (named === undefined) {
      throw new UnprocessableError(`named config '${storedName}' does not exist`, {
        field: 'config.name',
        value: storedName,
        rule: 'no such stored configuration',
      });
    }
    Object.assign(merged, named);
    if (named.sparkImage !== undefined) imageSource = 'stored-config';
  }

  if (request !== undefined) Object.assign(merged, parseRequestSettings(request, context).values);
  // Still unset: the Kubernetes driver chooses by the platform (185, or none on OpenShift).
  if (merged.runAsUser === undefined && options.defaultRunAsUser !== undefined) {
    merged.runAsUser = options.defaultRunAsUser;
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

/**
 * The first setting of a configuration the local driver does not support, with why, or undefined: it runs
 * processes, so it refuses what only pods have.
 */
export function unsupportedByLocal(
  config: ClusterConfig,
): { readonly field: string; readonly message: string } | undefined {
  for (const row of SETTINGS) {
    const value = (config as Record<string, unknown>)[row.key];
    if (row.localRefusal !== undefined && isSet(value)) {
      const shown = typeof value === 'object' ? '' : ` ${JSON.stringify(value)}`;
      return { field: `config.${row.key}`, message: `config.${row.key}${shown}: ${row.localRefusal}` };
    }
  }
  return undefined;
}
