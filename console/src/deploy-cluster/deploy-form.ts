/**
 * The deploy form as plain data: its fields, their validation (the same pure rules the server applies) and the
 * request it sends. Only what the user set is sent, so a stored configuration or the server default decides
 * everything else (upstream filled in form defaults and so overrode the stored configuration's image).
 */
import { clusterNameProblem, configNameProblem } from '../../../src/core/cluster-name.js';
import { parseImageReference } from '../../../src/core/image-ref.js';
import type { NewCluster } from '../../../src/client/oshinko-client.js';

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
}

export type FormField =
  | 'name'
  | 'workerCount'
  | 'sparkImage'
  | 'storedConfig'
  | 'sparkMasterConfig'
  | 'sparkWorkerConfig'
  | 'exposeWebUI'
  | 'metrics';

export type FieldErrors = Partial<Record<FormField, string>>;

/** Fields inside the collapsed "Advanced configuration" section. */
export const ADVANCED_FIELDS: readonly FormField[] = [
  'sparkImage',
  'storedConfig',
  'sparkMasterConfig',
  'sparkWorkerConfig',
  'exposeWebUI',
  'metrics',
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
  };
}

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
    case 'exposeWebUI':
    case 'metrics':
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
  ] as const) {
    const problem = validateField(form, field, maxWorkers);
    if (problem !== undefined) errors[field] = problem;
  }
  return errors;
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

/** The form field a server error names, or undefined when it names none of them (shown as a dialog alert). */
export function formFieldOf(serverField: string | undefined): FormField | undefined {
  return serverField === undefined ? undefined : SERVER_FIELDS[serverField];
}
