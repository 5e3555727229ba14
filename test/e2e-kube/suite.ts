/**
 * The fixture of every suite in this folder: the running test cluster, a namespace of the suite's own, the test base
 * image and, unless the suite starts its servers itself, an oshinko server with the Kubernetes driver in that
 * namespace. Set up in one beforeAll, taken down in one afterAll (server, namespace, then the suite's own teardown,
 * each even when the one before failed). No running cluster fails the suite: it never skips.
 */
import { afterAll, beforeAll } from 'vitest';
import { OshinkoClient } from '../../src/client/oshinko-client.js';
import type { RunningServer } from '../../src/server/serve.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';
import {
  baseImageArchive,
  createNamespace,
  requireRealCluster,
  startServer,
  type RealCluster,
} from './real-cluster.js';

export interface RealClusterSuite {
  readonly cluster: RealCluster;
  /** The suite's namespace, removed with all it holds after the suite. */
  readonly namespace: string;
  /** The test base image (images.sh spark-base), the server's default image. */
  readonly image: string;
}

export interface SuiteOptions {
  /** After the namespace is made and before the server starts: images, labels, secrets, a registry. */
  readonly prepare?: (suite: RealClusterSuite) => Promise<void>;
  /** Last, once the server is stopped and the namespace removed. */
  readonly teardown?: () => Promise<void>;
}

export interface ServerOptions extends SuiteOptions {
  /** The server's environment (the in-process server's is this alone; a process's is added to the test's own). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A suite with an in-process server (`serve`), and the typed client pointed at it. */
export interface ServedSuite extends RealClusterSuite {
  readonly server: RunningServer;
  readonly client: OshinkoClient;
}

/** A suite with the server as its own process (bin/oshinko.js serve), so that a test can SIGKILL it. */
export interface ServerProcessSuite extends RealClusterSuite {
  readonly server: ServerProcess;
  readonly client: OshinkoClient;
  /** SIGKILLs the server and starts another like it. */
  restart(): Promise<void>;
}

function setUp<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the suite is not set up: its beforeAll failed (see above)');
  return value;
}

/** The fixture's hooks and the suite's parts; a subclass adds its server. */
class Suite implements RealClusterSuite {
  private base: RealClusterSuite | undefined;

  constructor(prefix: string, options: SuiteOptions) {
    let removeNamespace: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const cluster = requireRealCluster();
      const { image } = await baseImageArchive();
      const namespace = await createNamespace(cluster, prefix);
      removeNamespace = namespace.remove;
      this.base = { cluster, namespace: namespace.name, image };
      await options.prepare?.(this.base);
      await this.startServer(this.base);
    });
    afterAll(async () => {
      try {
        await this.stopServer();
      } finally {
        try {
          await removeNamespace?.();
        } finally {
          await options.teardown?.();
        }
      }
    });
  }

  get cluster(): RealCluster {
    return setUp(this.base).cluster;
  }

  get namespace(): string {
    return setUp(this.base).namespace;
  }

  get image(): string {
    return setUp(this.base).image;
  }

  protected startServer(_suite: RealClusterSuite): Promise<void> {
    return Promise.resolve();
  }

  protected stopServer(): Promise<void> {
    return Promise.resolve();
  }
}

class Served extends Suite implements ServedSuite {
  private running: { server: RunningServer; client: OshinkoClient } | undefined;

  constructor(
    prefix: string,
    private readonly options: ServerOptions,
  ) {
    super(prefix, options);
  }

  get server(): RunningServer {
    return setUp(this.running).server;
  }

  get client(): OshinkoClient {
    return setUp(this.running).client;
  }

  protected override async startServer({ cluster, namespace, image }: RealClusterSuite): Promise<void> {
    this.running = await startServer(cluster, namespace, image, this.options.env);
  }

  protected override async stopServer(): Promise<void> {
    await this.running?.server.close();
  }
}

class ProcessServed extends Suite implements ServerProcessSuite {
  private running: { server: ServerProcess; client: OshinkoClient } | undefined;

  constructor(
    prefix: string,
    private readonly options: ServerOptions & { readonly nodeArgs?: readonly string[] },
  ) {
    super(prefix, options);
  }

  get server(): ServerProcess {
    return setUp(this.running).server;
  }

  get client(): OshinkoClient {
    return setUp(this.running).client;
  }

  async restart(): Promise<void> {
    await this.server.kill();
    await this.startServer(this);
  }

  protected override async startServer({ cluster, namespace, image }: RealClusterSuite): Promise<void> {
    const server = await spawnServer({
      args: [
        '--driver',
        'kubernetes',
        '--kubeconfig',
        cluster.kubeconfig,
        '--namespace',
        namespace,
        '--default-image',
        image,
        '--log-level',
        'warn',
      ],
      env: { ...process.env, ...this.options.env },
      nodeArgs: this.options.nodeArgs ?? [],
    });
    this.running = { server, client: new OshinkoClient(server.url, { timeoutMs: 60_000 }) };
  }

  protected override async stopServer(): Promise<void> {
    await this.running?.server.stop();
  }
}

/** A suite without a server of the fixture's: it starts its own (console-cli's in-process one and CLI process). */
export function realClusterSuite(prefix: string, options: SuiteOptions = {}): RealClusterSuite {
  return new Suite(prefix, options);
}

/** A suite whose tests talk to an in-process server in the suite's namespace. */
export function servedSuite(prefix: string, options: ServerOptions = {}): ServedSuite {
  return new Served(prefix, options);
}

/** A suite whose tests talk to a server process (`nodeArgs` are node's flags, e.g. a preloaded probe). */
export function serverProcessSuite(
  prefix: string,
  options: ServerOptions & { readonly nodeArgs?: readonly string[] } = {},
): ServerProcessSuite {
  return new ProcessServed(prefix, options);
}
