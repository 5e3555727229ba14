import { homedir } from 'node:os';
import { sep } from 'node:path';
import type { ServeConfig } from './serve-config.js';

/** A path under the user's home written as `~/...`, as the user would type it. */
function tildePath(path: string, home: string): string {
  return path === home ? '~' : path.startsWith(home + sep) ? `~${path.slice(home.length)}` : path;
}

/**
 * The line `oshinko serve` starts with: where clusters will run, and with Kubernetes which context and namespace,
 * so that nobody creates clusters in whatever their current kubectl context points at without being told.
 * `details` is the driver's own account of itself (`ClusterDriver.describe()`, the `details` of `GET /`).
 */
export function startupLine(
  config: Pick<ServeConfig, 'driver' | 'driverFrom'>,
  details: Readonly<Record<string, string>>,
  home: string = homedir(),
): string {
  if (config.driver === 'local') {
    const data = details.home === undefined ? '' : `, data in ${tildePath(details.home, home)}`;
    return `serving clusters on this machine (local driver${data})`;
  }
  const where =
    details.context === undefined
      ? `${details.config ?? 'Kubernetes'}, namespace "${details.namespace ?? '?'}"`
      : `context "${details.context}", namespace "${details.namespace ?? '?'}"`;
  const from = details['namespace-from'] === undefined ? '' : ` (from ${details['namespace-from']})`;
  const hint =
    config.driverFrom === 'detected'
      ? '; set --driver local (or OSHINKO_DRIVER=local) to run them on this machine'
      : '';
  return `serving clusters on Kubernetes: ${where}${from}${hint}`;
}
