/**
 * The cluster settings the local driver does not support, refused when a cluster is created: each is refused with a
 * 422 naming its field and saying why (the row's `localRefusal` in src/core/cluster-settings.ts), rather than
 * silently ignored.
 */
import type { ClusterConfig } from '../../core/cluster.js';
import { unsupportedByLocal } from '../../core/cluster-config.js';
import { UnprocessableError } from '../../core/errors.js';

/** Throws on the first setting of `config` the local driver cannot honour. */
export function refuseUnsupportedSettings(config: ClusterConfig): void {
  const unsupported = unsupportedByLocal(config);
  if (unsupported !== undefined)
    throw new UnprocessableError(unsupported.message, { field: unsupported.field });
}
