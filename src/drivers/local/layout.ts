import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * The oshinko data directory (OSHINKO_HOME):
 *
 *   images/<ref-dir>/image.json     local images (built images also hold bin/, conf/, jars/, python/)
 *   images/default.json             which image is the default
 *   clusters/<name>/cluster.json    a cluster's persisted state
 *   clusters/<name>/logs/<pod>.log  one log per daemon
 *   clusters/<name>/work/<pod>/     worker work directories (executors, application files)
 *   configs/<name>.json|.yaml       stored cluster configurations
 *   cache/launch/<key>/             kept daemon launches: the launcher's commands, class-data-sharing archives
 *   server.lock                     the pid of the server that owns this directory
 */
export class HomeLayout {
  constructor(readonly home: string) {}

  get images(): string {
    return join(this.home, 'images');
  }
  get defaultImageFile(): string {
    return join(this.images, 'default.json');
  }
  get clusters(): string {
    return join(this.home, 'clusters');
  }
  get configs(): string {
    return join(this.home, 'configs');
  }
  get launchCache(): string {
    return join(this.home, 'cache', 'launch');
  }
  get lockFile(): string {
    return join(this.home, 'server.lock');
  }

  /** One directory per image; readable name plus a hash, so "a/b" and "a_b" never collide. */
  imageDir(ref: string): string {
    const readable = ref.replace(/[^a-z0-9._-]+/g, '_').slice(0, 80);
    const hash = createHash('sha256').update(ref).digest('hex').slice(0, 10);
    return join(this.images, `${readable}-${hash}`);
  }
  clusterDir(name: string): string {
    return join(this.clusters, name);
  }
  clusterFile(name: string): string {
    return join(this.clusterDir(name), 'cluster.json');
  }
  logFile(cluster: string, pod: string): string {
    return join(this.clusterDir(cluster), 'logs', `${pod}.log`);
  }
  workDir(cluster: string, pod: string): string {
    return join(this.clusterDir(cluster), 'work', pod);
  }
}
