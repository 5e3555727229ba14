import { InvalidInputError } from './errors.js';

/**
 * Cluster names become Kubernetes object names with suffixes (the longest is `-ui-route`), so a name is a
 * DNS-1035 label short enough to keep every derived name within 63 characters.
 */
export const LONGEST_NAME_SUFFIX = '-ui-route';
export const MAX_CLUSTER_NAME_LENGTH = 63 - LONGEST_NAME_SUFFIX.length;
/** A DNS-1035 label; the wire schema states it too (src/api/schemas.ts), so the two cannot differ. */
export const CLUSTER_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const DNS_1035_LABEL = new RegExp(CLUSTER_NAME_PATTERN);

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
export const MAX_CONFIG_NAME_LENGTH = 253;
const DNS_1123_SUBDOMAIN_SOURCE = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS_1123_SUBDOMAIN = new RegExp(`^${DNS_1123_SUBDOMAIN_SOURCE}$`);
/** A config name in a request: a DNS-1123 subdomain, or empty for none (as upstream clients send). */
export const CONFIG_NAME_PATTERN = `^(${DNS_1123_SUBDOMAIN_SOURCE})?$`;

export function configNameProblem(name: string): string | undefined {
  if (name.length > MAX_CONFIG_NAME_LENGTH) {
    return `at most ${MAX_CONFIG_NAME_LENGTH} characters are allowed (this one has ${name.length})`;
  }
  if (!DNS_1123_SUBDOMAIN.test(name)) {
    return 'use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit';
  }
  return undefined;
}
