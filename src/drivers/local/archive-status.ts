/**
 * The local driver's use of the kept launches (launch-cache.ts): looking up an image's launch in the server's
 * environment, having one made in the background after a cluster of the image started, and what `GET /` says of
 * the default image's class-data-sharing archives.
 */
import type { ArchiveState, LaunchCache, LaunchLookup } from './launch-cache.js';
import type { DaemonResources, ImageRecord } from './records.js';
import { daemonEnv } from './spark-daemons.js';

type LaunchImage = Pick<ImageRecord, 'ref' | 'kind' | 'sparkHome' | 'distribution'>;

const ARCHIVE_STATES: Record<ArchiveState, string> = {
  ready: 'ready',
  preparing: 'being made',
  none: 'none yet (made in the background after the first cluster of the image starts)',
  failed: 'none (the run that makes it failed)',
};

export interface ImageLaunchesOptions {
  readonly launches: LaunchCache;
  /** The default image's Spark home: its archive is what `describe` tells. */
  readonly defaultSparkHome: string;
  /** The server's daemon sizes and environment, which the daemons' environment (and so the key) comes from. */
  readonly resources: DaemonResources;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether the server is closing: nothing is prepared then. */
  readonly closed: () => boolean;
}

/** The kept launches of the driver's images, and the state of the default image's. */
export class ImageLaunches {
  /** The default image's archive, for `GET /` (updated as clusters start and archives are made). */
  private defaultArchive: ArchiveState = 'none';
  private defaultArchiveProblem: string | undefined;
  /** Why the default image's kept launch has no executors' archive, as last read; undefined when it has one. */
  private defaultExecutorProblem: string | undefined = 'none yet';

  constructor(private readonly options: ImageLaunchesOptions) {}

  /** The lines of `GET /`'s details on the default image's archives. */
  describe(): Readonly<Record<string, string>> {
    return {
      'default-image-class-data-archive':
        this.defaultArchiveProblem === undefined
          ? ARCHIVE_STATES[this.defaultArchive]
          : `${ARCHIVE_STATES[this.defaultArchive]}: ${this.defaultArchiveProblem}`,
      'default-image-executor-archive':
        this.defaultArchive !== 'ready'
          ? ARCHIVE_STATES[this.defaultArchive]
          : this.defaultExecutorProblem === undefined
            ? 'ready'
            : `none: ${this.defaultExecutorProblem}`,
    };
  }

  private daemonEnv(image: LaunchImage): Record<string, string | undefined> {
    return daemonEnv(image, this.options.resources, this.options.env);
  }

  /**
   * The kept launch of an image's daemons in this server's environment; none when it cannot be looked up (no
   * java: the start then fails on its own, with spark-class's message).
   */
  async find(image: LaunchImage): Promise<LaunchLookup | undefined> {
    try {
      const lookup = await this.options.launches.find(image, this.daemonEnv(image));
      if (image.sparkHome === this.options.defaultSparkHome) {
        this.defaultArchive = lookup.state;
        this.defaultArchiveProblem = lookup.problem;
        this.defaultExecutorProblem = lookup.executorProblem;
      }
      return lookup;
    } catch {
      return undefined;
    }
  }

  /** Makes the kept launch of an image in the background (after its cluster started, not to slow that start). */
  prepare(image: LaunchImage, lookup: LaunchLookup | undefined): void {
    if (lookup === undefined || lookup.launch !== undefined || this.options.closed()) return;
    const isDefault = image.sparkHome === this.options.defaultSparkHome;
    if (isDefault) this.defaultArchive = 'preparing';
    this.options.launches.prepare(lookup.key, image, this.daemonEnv(image), (error) => {
      if (!isDefault) return;
      this.defaultArchive = error === undefined ? 'ready' : 'failed';
      this.defaultArchiveProblem = error?.message;
      if (error === undefined) void this.find(image);
    });
  }

  /** Stops a run under way (its processes) and makes no more. */
  close(): Promise<void> {
    return this.options.launches.close();
  }
}
