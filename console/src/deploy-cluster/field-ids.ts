import type { FormField } from './deploy-form.js';

/** The DOM id of each field's input: its label, its helper text and focus after an error point at it. */
export const FIELD_IDS: Readonly<Record<FormField, string>> = {
  name: 'deploy-name',
  workerCount: 'deploy-workers',
  sparkImage: 'deploy-image',
  storedConfig: 'deploy-stored-config',
  sparkMasterConfig: 'deploy-master-config',
  sparkWorkerConfig: 'deploy-worker-config',
  exposeWebUI: 'deploy-expose-ui',
  metrics: 'deploy-metrics',
};

/** The id of a field's helper text (hint or error), for its input's aria-describedby. */
export function helperId(field: FormField): string {
  return `${FIELD_IDS[field]}-helper`;
}
