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
  masterCpu: 'deploy-master-cpu',
  masterMemory: 'deploy-master-memory',
  workerCpu: 'deploy-worker-cpu',
  workerMemory: 'deploy-worker-memory',
  imagePullPolicy: 'deploy-image-pull-policy',
  runAsUser: 'deploy-run-as-user',
  imagePullSecrets: 'deploy-image-pull-secrets',
  nodeSelector: 'deploy-node-selector',
  tolerations: 'deploy-tolerations',
  labels: 'deploy-labels',
  annotations: 'deploy-annotations',
  env: 'deploy-env',
  envFromSecret: 'deploy-env-from-secret',
};

/** The id of a field's helper text (hint or error), for its input's aria-describedby. */
export function helperId(field: FormField): string {
  return `${FIELD_IDS[field]}-helper`;
}
