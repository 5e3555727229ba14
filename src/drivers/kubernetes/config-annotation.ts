/**
 * The `oshinko-config` annotation of a cluster's master Deployment: the cluster's configuration as it was asked for,
 * written at create and read back by every observation. Pure.
 */
import type { ClusterConfig, ImageSource, ResolvedClusterConfig } from '../../core/cluster.js';
import { METRICS_MODES, PULL_POLICIES, type PullPolicy, type RunAsUser } from '../../core/cluster.js';
import { parseRunAsUser } from '../../core/cluster-config.js';
import { parsePodSettings, POD_SETTING_FIELDS, type PodSettings } from '../../core/pod-settings.js';
import { quantityValue, type Resources } from '../../core/resources.js';

/** What the `oshinko-config` annotation holds: the upstream config shape plus where the image came from. */
interface ConfigAnnotation extends PodSettings {
  name?: string;
  masterCount: number;
  workerCount: number;
  sparkMasterConfig: string;
  sparkWorkerConfig: string;
  sparkImage: string;
  exposeWebUI: 'true' | 'false';
  metrics: string;
  imageSource: ImageSource;
  imagePullPolicy?: PullPolicy;
  runAsUser?: RunAsUser;
  masterResources?: Resources;
  workerResources?: Resources;
}

/** The pod settings a configuration has, without the absent ones. */
function podSettingsOf(config: PodSettings): PodSettings {
  return Object.fromEntries(
    POD_SETTING_FIELDS.filter((key) => config[key] !== undefined).map((key) => [key, config[key]]),
  );
}

export function encodeClusterConfig(spec: ResolvedClusterConfig): string {
  const { config } = spec;
  const annotation: ConfigAnnotation = {
    ...(spec.storedConfig === undefined ? {} : { name: spec.storedConfig }),
    masterCount: config.masterCount,
    workerCount: config.workerCount,
    sparkMasterConfig: config.sparkMasterConfig,
    sparkWorkerConfig: config.sparkWorkerConfig,
    sparkImage: config.sparkImage,
    exposeWebUI: config.exposeWebUI ? 'true' : 'false',
    metrics: config.metrics,
    imageSource: spec.imageSource,
    ...(config.imagePullPolicy === undefined ? {} : { imagePullPolicy: config.imagePullPolicy }),
    ...(config.runAsUser === undefined ? {} : { runAsUser: config.runAsUser }),
    ...(config.masterResources === undefined ? {} : { masterResources: config.masterResources }),
    ...(config.workerResources === undefined ? {} : { workerResources: config.workerResources }),
    ...podSettingsOf(config),
  };
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

/** Reads the annotation back; undefined when it is absent or not ours (edited by hand, another tool). */
export function decodeClusterConfig(text: string | undefined): ResolvedClusterConfig | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw)) return undefined;
  const str = (key: string) => (typeof raw[key] === 'string' ? raw[key] : undefined);
  const int = (key: string) =>
    typeof raw[key] === 'number' && Number.isSafeInteger(raw[key]) ? raw[key] : undefined;
  const sparkImage = str('sparkImage');
  if (sparkImage === undefined || sparkImage === '') return undefined;
  const metrics = str('metrics') ?? 'false';
  const source = str('imageSource');
  const resources = (key: string): Resources | undefined => {
    const value = raw[key];
    if (!isRecord(value)) return undefined;
    const quantity = (name: string) => {
      const text = value[name];
      return typeof text === 'string' && quantityValue(text) !== undefined ? text : undefined;
    };
    const cpu = quantity('cpu');
    const memory = quantity('memory');
    if (cpu === undefined && memory === undefined) return undefined;
    return { ...(cpu === undefined ? {} : { cpu }), ...(memory === undefined ? {} : { memory }) };
  };
  const masterResources = resources('masterResources');
  const workerResources = resources('workerResources');
  const pullPolicy = str('imagePullPolicy');
  const imagePullPolicy = (PULL_POLICIES as readonly string[]).includes(pullPolicy ?? '')
    ? (pullPolicy as PullPolicy)
    : undefined;
  const runAsUser = runAsUserOf(raw.runAsUser);
  let pod: PodSettings = {};
  try {
    pod = parsePodSettings(raw);
  } catch {
    // Edited by hand into something we would not have accepted: reported without it.
  }
  const config: ClusterConfig = {
    ...pod,
    ...(imagePullPolicy === undefined ? {} : { imagePullPolicy }),
    ...(runAsUser === undefined ? {} : { runAsUser }),
    ...(masterResources === undefined ? {} : { masterResources }),
    ...(workerResources === undefined ? {} : { workerResources }),
    masterCount: int('masterCount') ?? 1,
    workerCount: int('workerCount') ?? 1,
    sparkMasterConfig: str('sparkMasterConfig') ?? '',
    sparkWorkerConfig: str('sparkWorkerConfig') ?? '',
    sparkImage,
    exposeWebUI: str('exposeWebUI') !== 'false',
    metrics: (METRICS_MODES as readonly string[]).includes(metrics)
      ? (metrics as ClusterConfig['metrics'])
      : 'false',
  };
  return {
    config,
    imageSource: source === 'request' || source === 'stored-config' ? source : 'default',
    storedConfig: str('name'),
  };
}
