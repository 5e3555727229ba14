/**
 * The deploy form as plain data: its fields, their validation (the same pure rules the server applies) and the
 * request it sends. Only what the user set is sent, so a stored configuration or the server default decides
 * everything else (upstream filled in form defaults and so overrode the stored configuration's image).
 */
import { parseRunAsUser } from '../../../src/core/cluster-config.js';
import { clusterNameProblem, configNameProblem } from '../../../src/core/cluster-name.js';
import type { PullPolicy } from '../../../src/core/cluster.js';
import { InvalidInputError } from '../../../src/core/errors.js';
import { parseImageReference } from '../../../src/core/image-ref.js';
import type { NewCluster } from '../../../src/client/oshinko-client.js';
import {
  parseEnvEntries,
  parsePairEntries,
  parsePullSecretEntries,
  parseTolerationEntries,
  quantityProblem,
  resourcesOf,
  type Entries,
} from '../../../src/client/pod-settings-text.js';

export const METRICS_CHOICES = ['', 'false', 'true', 'jolokia', 'prometheus'] as const;
export type MetricsChoice = (typeof METRICS_CHOICES)[number];

export interface DeployForm {
  readonly name: string;
  readonly workerCount: number | '';
  /** True once the user changed the worker count; an untouched count defers to a stored configuration. */
  readonly workerCountTouched: boolean;
  readonly sparkImage: string;
  readonly storedConfig: string;
  readonly sparkMasterConfig: string;
  readonly sparkWorkerConfig: string;
  /** undefined: not set, the stored configuration or the default (exposed) applies. */
  readonly exposeWebUI: boolean | undefined;
  readonly metrics: MetricsChoice;
  /** The Kubernetes pod settings; '' or no lines: not sent. */
  readonly imagePullPolicy: PullPolicy | '';
  /** A UID or `image` (--run-as-user); '': the server's default. */
  readonly runAsUser: string;
  readonly masterCpu: string;
  readonly masterMemory: string;
  readonly workerCpu: string;
  readonly workerMemory: string;
  /** One Secret name per line (--image-pull-secret); none: the server's default. */
  readonly imagePullSecrets: string;
  /** One `KEY=VALUE` per line, as the CLI's --node-selector, --label and --annotation take them. */
  readonly nodeSelector: string;
  /** One `KEY[=VALUE]:EFFECT` per line, as `kubectl taint` writes taints (--toleration). */
  readonly tolerations: string;
  readonly labels: string;
  readonly annotations: string;
  /** One `NAME=VALUE` per line (--env), and one `NAME=SECRET:KEY` per line (--env-from-secret). */
  readonly env: string;
  readonly envFromSecret: string;
}

export type FormField =
  | 'name'
  | 'workerCount'
  | 'sparkImage'
  | 'storedConfig'
  | 'sparkMasterConfig'
  | 'sparkWorkerConfig'
  | 'exposeWebUI'
  | 'metrics'
  | PodField;

/** The fields of the pod settings: the resources on either driver, the rest on the Kubernetes driver only. */
export const POD_FIELDS = [
  'masterCpu',
  'masterMemory',
  'workerCpu',
  'workerMemory',
  'imagePullPolicy',
  'runAsUser',
  'imagePullSecrets',
  'nodeSelector',
  'tolerations',
  'labels',
  'annotations',
  'env',
  'envFromSecret',
] as const;
export type PodField = (typeof POD_FIELDS)[number];
/** The pod settings typed one entry per line. */
export type LinesField =
  'imagePullSecrets' | 'nodeSelector' | 'tolerations' | 'labels' | 'annotations' | 'env' | 'envFromSecret';

export type FieldErrors = Partial<Record<FormField, string>>;

/** Fields inside the collapsed "Advanced configuration" section. */
export const ADVANCED_FIELDS: readonly FormField[] = [
  'sparkImage',
  'storedConfig',
  'sparkMasterConfig',
  'sparkWorkerConfig',
  'exposeWebUI',
  'metrics',
  ...POD_FIELDS,
];

export function emptyForm(): DeployForm {
  return {
    name: '',
    workerCount: 1,
    workerCountTouched: false,
    sparkImage: '',
    storedConfig: '',
    sparkMasterConfig: '',
    sparkWorkerConfig: '',
    exposeWebUI: undefined,
    metrics: '',
    imagePullPolicy: '',
    runAsUser: '',
    masterCpu: '',
    masterMemory: '',
    workerCpu: '',
    workerMemory: '',
    imagePullSecrets: '',
    nodeSelector: '',
    tolerations: '',
    labels: '',
    annotations: '',
    env: '',
    envFromSecret: '',
  };
}

/** The non-blank lines of a field, trimmed, with their line numbers (from 1) for messages. */
export function linesOf(text: string): { entries: string[]; lineNumbers: number[] } {
  const entries: string[] = [];
  const lineNumbers: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    entries.push(line.trim());
    lineNumbers.push(index + 1);
  });
  return { entries, lineNumbers };
}

/** A wrong entry as the field says it: the line and the server's reason. */
function lineProblem<T>(result: Entries<T>, field: LinesField, lineNumbers: readonly number[]) {
  if (result.ok || result.list !== field) return undefined;
  return `line ${String(lineNumbers[result.index] ?? result.index + 1)}: ${result.problem}`;
}

function envEntries(form: DeployForm) {
  return parseEnvEntries(linesOf(form.env).entries, linesOf(form.envFromSecret).entries);
}

const QUANTITY_FIELDS = {
  masterCpu: ['master', 'cpu'],
  masterMemory: ['master', 'memory'],
  workerCpu: ['worker', 'cpu'],
  workerMemory: ['worker', 'memory'],
} as const;

export function validateField(form: DeployForm, field: FormField, maxWorkers: number): string | undefined {
  switch (field) {
    case 'name':
      return clusterNameProblem(form.name);
    case 'workerCount':
      if (form.workerCount === '') return form.workerCountTouched ? 'enter a number of workers' : undefined;
      if (!Number.isInteger(form.workerCount) || form.workerCount < 0 || form.workerCount > maxWorkers) {
        return `the number of workers is an integer from 0 to ${maxWorkers}`;
      }
      return undefined;
    case 'sparkImage': {
      if (form.sparkImage === '') return undefined;
      const parsed = parseImageReference(form.sparkImage);
      return parsed.ok ? undefined : parsed.reason;
    }
    case 'storedConfig':
    case 'sparkMasterConfig':
    case 'sparkWorkerConfig': {
      const value = form[field].trim();
      return value === '' ? undefined : configNameProblem(value);
    }
    case 'masterCpu':
    case 'masterMemory':
    case 'workerCpu':
    case 'workerMemory': {
      const value = form[field].trim();
      const [role, kind] = QUANTITY_FIELDS[field];
      return value === '' ? undefined : quantityProblem(role, kind, value);
    }
    case 'runAsUser': {
      const value = form.runAsUser.trim();
      if (value === '') return undefined;
      try {
        parseRunAsUser(value, 'config.runAsUser');
        return undefined;
      } catch (error) {
        if (error instanceof InvalidInputError) return error.rule ?? error.message;
        throw error;
      }
    }
    case 'nodeSelector':
    case 'labels':
    case 'annotations': {
      const { entries, lineNumbers } = linesOf(form[field]);
      return lineProblem(parsePairEntries(entries, field), field, lineNumbers);
    }
    case 'imagePullSecrets': {
      const { entries, lineNumbers } = linesOf(form.imagePullSecrets);
      return lineProblem(parsePullSecretEntries(entries), field, lineNumbers);
    }
    case 'tolerations': {
      const { entries, lineNumbers } = linesOf(form.tolerations);
      return lineProblem(parseTolerationEntries(entries), field, lineNumbers);
    }
    case 'env':
    case 'envFromSecret':
      // Both lists are read together: a name may be given once across them; each field shows its own lines.
      return lineProblem(envEntries(form), field, linesOf(form[field]).lineNumbers);
    case 'exposeWebUI':
    case 'metrics':
    case 'imagePullPolicy':
      return undefined;
  }
}

export function validateForm(form: DeployForm, maxWorkers: number): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of [
    'name',
    'workerCount',
    'sparkImage',
    'storedConfig',
    'sparkMasterConfig',
    'sparkWorkerConfig',
    ...POD_FIELDS,
  ] as const) {
    const problem = validateField(form, field, maxWorkers);
    if (problem !== undefined) errors[field] = problem;
  }
  return errors;
}

/** The pod settings the form has, under the request's field names; call on a valid form. */
function podSettingsRequest(form: DeployForm): Partial<NonNullable<NewCluster['config']>> {
  const config: Partial<NonNullable<NewCluster['config']>> = {};
  if (form.imagePullPolicy !== '') config.imagePullPolicy = form.imagePullPolicy;
  if (form.runAsUser.trim() !== '') config.runAsUser = parseRunAsUser(form.runAsUser, 'config.runAsUser');
  const masterResources = resourcesOf(form.masterCpu, form.masterMemory);
  if (masterResources !== undefined) config.masterResources = masterResources;
  const workerResources = resourcesOf(form.workerCpu, form.workerMemory);
  if (workerResources !== undefined) config.workerResources = workerResources;
  for (const field of ['nodeSelector', 'labels', 'annotations'] as const) {
    const map = parsePairEntries(linesOf(form[field]).entries, field);
    if (map.ok && map.value !== undefined) config[field] = map.value;
  }
  const pullSecrets = parsePullSecretEntries(linesOf(form.imagePullSecrets).entries);
  if (pullSecrets.ok && pullSecrets.value !== undefined) config.imagePullSecrets = pullSecrets.value;
  const tolerations = parseTolerationEntries(linesOf(form.tolerations).entries);
  if (tolerations.ok && tolerations.value !== undefined) config.tolerations = tolerations.value;
  const env = envEntries(form);
  if (env.ok && env.value !== undefined) config.env = env.value;
  return config;
}

export function toRequest(form: DeployForm): NewCluster {
  const config: NonNullable<NewCluster['config']> = {};
  const storedConfig = form.storedConfig.trim();
  if (storedConfig !== '') config.name = storedConfig;
  if (form.workerCount !== '' && (form.workerCountTouched || storedConfig === '')) {
    config.workerCount = form.workerCount;
  }
  if (form.sparkImage !== '') config.sparkImage = form.sparkImage;
  if (form.sparkMasterConfig.trim() !== '') config.sparkMasterConfig = form.sparkMasterConfig.trim();
  if (form.sparkWorkerConfig.trim() !== '') config.sparkWorkerConfig = form.sparkWorkerConfig.trim();
  if (form.exposeWebUI !== undefined) config.exposeWebUI = form.exposeWebUI;
  if (form.metrics !== '') config.metrics = form.metrics;
  Object.assign(config, podSettingsRequest(form));
  return Object.keys(config).length === 0 ? { name: form.name } : { name: form.name, config };
}

const SERVER_FIELDS: Readonly<Record<string, FormField>> = {
  name: 'name',
  'config.workerCount': 'workerCount',
  'config.sparkImage': 'sparkImage',
  'config.imageUrl': 'sparkImage',
  'config.name': 'storedConfig',
  'config.sparkMasterConfig': 'sparkMasterConfig',
  'config.sparkWorkerConfig': 'sparkWorkerConfig',
  'config.exposeWebUI': 'exposeWebUI',
  'config.metrics': 'metrics',
};

/** Server fields within a pod setting (`config.nodeSelector.disk`, `config.env[2].name`), longest first. */
const SERVER_FIELD_PREFIXES: readonly (readonly [string, FormField])[] = [
  ['config.imagePullPolicy', 'imagePullPolicy'],
  ['config.runAsUser', 'runAsUser'],
  ['config.masterResources.memory', 'masterMemory'],
  ['config.masterResources', 'masterCpu'],
  ['config.workerResources.memory', 'workerMemory'],
  ['config.workerResources', 'workerCpu'],
  ['config.imagePullSecrets', 'imagePullSecrets'],
  ['config.nodeSelector', 'nodeSelector'],
  ['config.tolerations', 'tolerations'],
  ['config.labels', 'labels'],
  ['config.annotations', 'annotations'],
  ['config.env', 'env'],
];

/** The form field a server error names, or undefined when it names none of them (shown as a dialog alert). */
export function formFieldOf(serverField: string | undefined): FormField | undefined {
  if (serverField === undefined) return undefined;
  const exact = SERVER_FIELDS[serverField];
  if (exact !== undefined) return exact;
  if (serverField.startsWith('config.env') && serverField.includes('.secretKeyRef')) return 'envFromSecret';
  return SERVER_FIELD_PREFIXES.find(([prefix]) => serverField.startsWith(prefix))?.[1];
}
