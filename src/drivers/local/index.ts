import type { ClusterDriver } from '../../core/driver.js';
import { ConfigurationError } from '../../core/errors.js';

export interface LocalDriverOptions {
  /** The oshinko data directory (OSHINKO_HOME). */
  readonly home: string;
  /** SPARK_HOME, when set, is registered as the default image instead of the runtime installed by setup. */
  readonly sparkHome: string | undefined;
}

export function createLocalDriver(_options: LocalDriverOptions): Promise<ClusterDriver> {
  return Promise.reject(
    new ConfigurationError('the local driver is not available yet; use --driver kubernetes'),
  );
}
