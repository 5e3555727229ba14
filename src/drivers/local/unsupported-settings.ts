/**
 * The cluster settings the local driver does not support, refused when a cluster is created: each is refused with a
 * 422 naming its field and saying why, rather than silently ignored.
 */
import type { ClusterConfig } from '../../core/cluster.js';
import { UnprocessableError } from '../../core/errors.js';
import { POD_SETTING_FIELDS } from '../../core/pod-settings.js';

/** Throws on the first setting of `config` the local driver cannot honour. */
export function refuseUnsupportedSettings(config: ClusterConfig): void {
  for (const field of ['sparkMasterConfig', 'sparkWorkerConfig'] as const) {
    if (config[field] !== '') {
      throw new UnprocessableError(
        `config.${field} ${JSON.stringify(config[field])}: Spark configuration sets are not supported by the local driver; put the settings into a local image with \`oshinko image build --conf KEY=VALUE\``,
        { field: `config.${field}` },
      );
    }
  }
  if (config.imagePullPolicy !== undefined) {
    throw new UnprocessableError(
      `config.imagePullPolicy ${JSON.stringify(config.imagePullPolicy)}: local images are never pulled; the local driver runs the image from its own store`,
      { field: 'config.imagePullPolicy' },
    );
  }
  if (config.runAsUser !== undefined) {
    throw new UnprocessableError(
      `config.runAsUser ${JSON.stringify(config.runAsUser)}: the local driver runs every Spark process as the server's own user; it sets no other`,
      { field: 'config.runAsUser' },
    );
  }
  for (const field of POD_SETTING_FIELDS) {
    if (config[field] !== undefined) {
      throw new UnprocessableError(
        `config.${field}: pod settings are for the Kubernetes driver; the local driver runs processes, not pods`,
        { field: `config.${field}` },
      );
    }
  }
}
