import { InvalidInputError } from './errors.js';

/**
 * Cluster names become Kubernetes object names with suffixes (the longest is `-ui-route`), so a name is a
 * DNS-1035 label short enough to keep every derived name within 63 characters.
 */
export const LONGEST_NAME_SUFFIX = '-ui-route';
export const MAX_CLUSTER_NAME_LENGTH = 63 - LONGEST_NAME_SUFFIX.length;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function clusterNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a cluster name is required';
  if (name.length > MAX_CLUSTER_NAME_LENGTH) {
    return `a cluster name is at most ${MAX_CLUSTER_NAME_LENGTH} characters long (this one has ${name.length})`;
  }
  if (!DNS_1035_LABEL.test(name)) {
    return 'a cluster name must start with a lowercase letter, contain only lowercase letters, digits and "-", and end with a letter or digit';
  }
  return undefined;
}

export function assertClusterName(name: string, field = 'name'): void {
  const problem = clusterNameProblem(name);
  if (problem) throw new InvalidInputError(`invalid ${field} ${JSON.stringify(name)}: ${problem}`, { field });
}

/** Names of ConfigMaps (stored configs, Spark config sets): DNS-1123 subdomains. */
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function configNameProblem(name: string): string | undefined {
  if (name.length > 253) return `at most 253 characters are allowed (this one has ${name.length})`;
  if (!DNS_1123_SUBDOMAIN.test(name)) {
    return 'use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}
