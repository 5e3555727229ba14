/**
 * The `oshinko-config` annotation of a cluster's master Deployment: the cluster's configuration as it was asked for,
 * written at create and read back by every observation. A field per setting of the table, as the wire has it, plus
 * `name` (the stored configuration) and `imageSource`. Pure.
 */
import type { ClusterConfig, ImageSource, ResolvedClusterConfig, RunAsUser } from '../../core/cluster.js';
import { SETTINGS, wireValue } from '../../core/cluster-settings.js';
import { parseRunAsUser } from '../../core/setting-values.js';

/** Whatever an annotation says, the counts it had are read back, even above the server's current limit. */
const ANY_COUNT = { maxWorkers: Number.MAX_SAFE_INTEGER };

export function encodeClusterConfig(spec: ResolvedClusterConfig): string {
  const config = spec.config as Readonly<Record<string, unknown>>;
  const annotation: Record<string, unknown> =
    spec.storedConfig === undefined ? {} : { name: spec.storedConfig };
  for (const row of SETTINGS) {
    const value = config[row.key];
    if (value !== undefined) annotation[row.key] = wireValue(row, value);
  }
  annotation.imageSource = spec.imageSource;
  return JSON.stringify(annotation);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A UID or `image` as the annotation or a pod template holds it; anything else is not ours. */
export function runAsUserOf(value: unknown): RunAsUser | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    return parseRunAsUser(value, 'runAsUser');
  } catch {
    return undefined;
  }
}

/**
 * Reads the annotation back; undefined when it is absent or not ours (edited by hand, another tool). A field edited
 * by hand into something the server would not have accepted is read as its default, or as absent.
 */
export function decodeClusterConfig(text: string | undefined): ResolvedClusterConfig | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw)) return undefined;
  if (typeof raw.sparkImage !== 'string' || raw.sparkImage === '') return undefined;
  const config: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    const value = raw[row.key];
    let parsed: unknown;
    try {
      parsed = value === undefined ? undefined : row.parse(value, row.key, ANY_COUNT);
    } catch {
      parsed = undefined;
    }
    const fallback = row.key === 'sparkImage' ? raw.sparkImage : row.default?.('');
    if (parsed !== undefined || fallback !== undefined) config[row.key] = parsed ?? fallback;
  }
  const source = raw.imageSource;
  return {
    config: config as unknown as ClusterConfig,
    imageSource:
      source === 'request' || source === 'stored-config' ? source : ('default' satisfies ImageSource),
    storedConfig: typeof raw.name === 'string' ? raw.name : undefined,
  };
}
