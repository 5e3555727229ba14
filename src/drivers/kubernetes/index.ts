import type { ClusterDriver } from '../../core/driver.js';
import { ConfigurationError } from '../../core/errors.js';

export interface KubernetesDriverOptions {
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined;
}

export function createKubernetesDriver(_options: KubernetesDriverOptions): Promise<ClusterDriver> {
  return Promise.reject(new ConfigurationError('the kubernetes driver is not available yet'));
}
