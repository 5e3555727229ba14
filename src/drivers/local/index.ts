/**
 * The local driver's entry point: `createLocalDriver` checks the runtime, opens the data directory (its lock, image
 * store and kept launches) and re-adopts the clusters an earlier server left running. The driver itself is
 * local-driver.ts.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ClusterDriver } from '../../core/driver.js';
import { ConfigurationError } from '../../core/errors.js';
import { describeFsError, isFsError } from './files.js';
import { LocalImageStore } from './image-store.js';
import { LaunchCache } from './launch-cache.js';
import { HomeLayout } from './layout.js';
import { imagesInUse, type LiveCluster } from './live-cluster.js';
import { LocalDriver, type LocalDriverSettings } from './local-driver.js';
import { checkJava } from './runtime-probes.js';
import { acquireServerLock, type ServerLock } from './server-lock.js';
import { runtimeSparkHome } from './spark-home.js';

export interface LocalDriverOptions extends LocalDriverSettings {
  /** The oshinko data directory (OSHINKO_HOME). */
  readonly home: string;
  /** SPARK_HOME, when set, is registered as the default image instead of the runtime installed by setup. */
  readonly sparkHome: string | undefined;
  /** Where `npm run setup` installed pyspark (default: `<project>/.oshinko/runtime`). */
  readonly runtimeDir?: string | undefined;
  /**
   * Whether the first cluster of an image is followed, in the background, by a short run of a master and a worker
   * that writes the image's class-data-sharing archives (launch-cache.ts); default true.
   */
  readonly makeArchives?: boolean | undefined;
}

function dataDirectoryError(layout: HomeLayout, error: unknown): unknown {
  if (!isFsError(error)) return error;
  return new ConfigurationError(
    describeFsError(`cannot use the data directory ${layout.home} (OSHINKO_HOME, --home)`, error),
  );
}

/**
 * The local driver: each cluster is a Spark standalone master and workers running as supervised processes of
 * this machine, from images of the local store under `<home>/images`.
 */
export async function createLocalDriver(options: LocalDriverOptions): Promise<ClusterDriver> {
  const layout = new HomeLayout(resolve(options.home));
  checkJava(options.env);
  let lock: ServerLock;
  try {
    for (const dir of [layout.home, layout.images, layout.clusters, layout.configs])
      await mkdir(dir, { recursive: true });
    lock = await acquireServerLock(layout.lockFile);
  } catch (error) {
    throw dataDirectoryError(layout, error);
  }
  try {
    const clusters = new Map<string, LiveCluster>();
    const store = new LocalImageStore(layout, () => Promise.resolve(imagesInUse(clusters.values())));
    const runtime = await store.registerDefault(runtimeSparkHome(options));
    const launches = new LaunchCache(layout.launchCache, {
      makeArchives: options.makeArchives ?? true,
      clock: options.clock,
    });
    await launches.recover();
    const driver = new LocalDriver(
      {
        layout,
        store,
        lock,
        clusters,
        launches,
        defaultImage: runtime.ref,
        defaultSparkHome: runtime.sparkHome,
      },
      options,
    );
    await driver.load();
    await driver.lookUpDefaultImage(runtime);
    return driver;
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw dataDirectoryError(layout, error);
  }
}
