import { describe, expect, it } from 'vitest';
import { HomeLayout } from './layout.js';
import { LAUNCH_SCRIPT } from './launch-command.js';
import {
  aliveWorkerPorts,
  daemonEnv,
  daemonSpec,
  DEFAULT_RESOURCES,
  MASTER_CLASS,
  WORKER_CLASS,
} from './spark-daemons.js';
import type { DaemonLaunch, DaemonRecord } from './records.js';

const layout = new HomeLayout('/data/oshinko');
const cluster = { name: 'etl', uid: 'abc123', masterPort: 7001 };
const daemon = (type: 'master' | 'worker', port: number): DaemonRecord => ({
  name: type === 'master' ? 'etl-m-1' : 'etl-w-1',
  type,
  port,
  webPort: port + 1,
  pid: undefined,
  restarts: 0,
  startedAt: undefined,
});
const runtime = { kind: 'runtime' as const, sparkHome: '/spark', distribution: '/spark' };

describe('daemonSpec', () => {
  it('starts the master with the image spark-class on 127.0.0.1 and its own ports', () => {
    const spec = daemonSpec(layout, cluster, daemon('master', 7001), runtime, DEFAULT_RESOURCES, {
      SPARK_CONF_DIR: '/elsewhere',
      SPARK_ENV_LOADED: '1',
      PATH: '/bin',
    });
    expect(spec.command).toBe('/spark/bin/spark-class');
    expect(spec.args).toEqual([
      'org.apache.spark.deploy.master.Master',
      '--host',
      '127.0.0.1',
      '--port',
      '7001',
      '--webui-port',
      '7002',
    ]);
    expect(spec.env).toMatchObject({
      PATH: '/bin',
      SPARK_HOME: '/spark',
      SPARK_LOCAL_IP: '127.0.0.1',
      SPARK_DAEMON_MEMORY: '256m',
      // C1 only for the daemons, through spark-class: the JIT option first, so that a user's comes later and wins.
      SPARK_DAEMON_JAVA_OPTS: '-XX:TieredStopAtLevel=1 -Doshinko.daemon=abc123.etl-m-1',
      SPARK_MASTER_OPTS: '-Dspark.master.rest.enabled=false',
      OSHINKO_CLUSTER_UID: 'abc123',
    });
    // An outer conf dir would hide the image's; SPARK_ENV_LOADED would skip its spark-env.sh.
    expect(spec.env).not.toHaveProperty('SPARK_CONF_DIR');
    expect(spec.env).not.toHaveProperty('SPARK_ENV_LOADED');
    expect(spec.logFile).toBe('/data/oshinko/clusters/etl/logs/etl-m-1.log');
    expect(spec.marker).toBe('-Doshinko.daemon=abc123.etl-m-1');
  });

  it('starts a small worker registered with the cluster master, working in the cluster directory', () => {
    const built = { kind: 'built' as const, sparkHome: '/data/oshinko/images/x', distribution: '/spark' };
    const spec = daemonSpec(layout, cluster, daemon('worker', 7100), built, DEFAULT_RESOURCES, {
      SPARK_DAEMON_JAVA_OPTS: '-Dmine=1',
    });
    expect(spec.command).toBe('/data/oshinko/images/x/bin/spark-class');
    expect(spec.args).toEqual([
      'org.apache.spark.deploy.worker.Worker',
      '--host',
      '127.0.0.1',
      '--port',
      '7100',
      '--webui-port',
      '7101',
      '--cores',
      '1',
      '--memory',
      '1g',
      '--work-dir',
      '/data/oshinko/clusters/etl/work/etl-w-1',
      'spark://127.0.0.1:7001',
    ]);
    expect(spec.env.SPARK_DAEMON_JAVA_OPTS).toBe(
      '-XX:TieredStopAtLevel=1 -Dmine=1 -Doshinko.daemon=abc123.etl-w-1',
    );
    // What the image's bin/spark-class wrapper sets, so that the direct launch reads the same conf.
    expect(spec.env.SPARK_CONF_DIR).toBe('/data/oshinko/images/x/conf');
  });

  it("with a kept launch, execs java directly: our options first, then the launcher's, then the daemon's", () => {
    const launch: DaemonLaunch = {
      commands: {
        master: ['/jdk/bin/java', '-cp', '/spark/conf:/spark/jars/*', '-Duser=1', '-Xmx256m', MASTER_CLASS],
        worker: ['/jdk/bin/java', '-cp', '/spark/conf:/spark/jars/*', '-Xmx256m', WORKER_CLASS],
      },
      archives: { master: '/cache/k/master.jsa', worker: '/cache/k/worker.jsa' },
    };
    const spec = daemonSpec(
      layout,
      cluster,
      daemon('master', 7001),
      runtime,
      DEFAULT_RESOURCES,
      { SPARK_DAEMON_JAVA_OPTS: '-Duser=1' },
      launch,
    );
    expect(spec.command).toBe('bash');
    expect(spec.args).toEqual([
      '-c',
      LAUNCH_SCRIPT,
      'oshinko-launch',
      '/jdk/bin/java',
      '-XX:TieredStopAtLevel=1',
      '-XX:SharedArchiveFile=/cache/k/master.jsa',
      '-Xshare:auto',
      '-Doshinko.daemon=abc123.etl-m-1',
      '-cp',
      '/spark/conf:/spark/jars/*',
      '-Duser=1',
      '-Xmx256m',
      MASTER_CLASS,
      '--host',
      '127.0.0.1',
      '--port',
      '7001',
      '--webui-port',
      '7002',
    ]);
    // The marker stays where re-adoption looks for it; the env keeps the user's options, without ours.
    expect(spec.args).toContain(spec.marker);
    expect(spec.env.SPARK_DAEMON_JAVA_OPTS).toBe('-Duser=1 -Doshinko.daemon=abc123.etl-m-1');

    const worker = daemonSpec(
      layout,
      cluster,
      daemon('worker', 7100),
      runtime,
      DEFAULT_RESOURCES,
      {},
      {
        ...launch,
        archives: undefined,
      },
    );
    expect(worker.args.slice(3, 7)).toEqual([
      '/jdk/bin/java',
      '-XX:TieredStopAtLevel=1',
      worker.marker,
      '-cp',
    ]);
    expect(worker.args).not.toContain('-Xshare:auto');
    expect(worker.args.at(-1)).toBe('spark://127.0.0.1:7001');
    expect(worker.env).not.toHaveProperty('JDK_JAVA_OPTIONS');
  });

  it("gives a worker's executors the executors' archive through JDK_JAVA_OPTIONS, ahead of the user's options", () => {
    const launch: DaemonLaunch = {
      commands: {
        master: ['/jdk/bin/java', '-cp', '/spark/jars/*', '-Xmx256m', MASTER_CLASS],
        worker: ['/jdk/bin/java', '-cp', '/spark/jars/*', '-Xmx256m', WORKER_CLASS],
      },
      archives: { master: '/cache/k/master.jsa', worker: '/cache/k/worker.jsa' },
      executorArchive: '/cache/k/executor.jsa',
    };
    const user = { JDK_JAVA_OPTIONS: '-Xshare:off' };
    const worker = daemonSpec(
      layout,
      cluster,
      daemon('worker', 7100),
      runtime,
      DEFAULT_RESOURCES,
      user,
      launch,
    );
    expect(worker.env.JDK_JAVA_OPTIONS).toBe(
      '-XX:SharedArchiveFile=/cache/k/executor.jsa -Xshare:auto -Xshare:off',
    );
    // The worker's own archive is on its command line, after what the java launcher takes from the variable.
    expect(worker.args).toContain('-XX:SharedArchiveFile=/cache/k/worker.jsa');
    const master = daemonSpec(
      layout,
      cluster,
      daemon('master', 7001),
      runtime,
      DEFAULT_RESOURCES,
      user,
      launch,
    );
    expect(master.env.JDK_JAVA_OPTIONS).toBe('-Xshare:off');
    const alone = daemonSpec(layout, cluster, daemon('worker', 7100), runtime, DEFAULT_RESOURCES, {}, launch);
    expect(alone.env.JDK_JAVA_OPTIONS).toBe('-XX:SharedArchiveFile=/cache/k/executor.jsa -Xshare:auto');
  });

  it("gives a cluster's workers their offer and its master its heap, and keeps them out of the launch key's environment", () => {
    const sized = { ...DEFAULT_RESOURCES, workerCores: 3, workerMemory: '409m', masterMemory: '768m' };
    const worker = daemonSpec(layout, cluster, daemon('worker', 7100), runtime, sized, {});
    expect(worker.args.slice(7, 11)).toEqual(['--cores', '3', '--memory', '409m']);
    // The worker daemon's own heap is the server's: only its offer is the cluster's.
    expect(worker.env.SPARK_DAEMON_MEMORY).toBe('256m');
    expect(worker.env).not.toHaveProperty('SPARK_WORKER_CORES');
    expect(worker.env).not.toHaveProperty('SPARK_WORKER_MEMORY');

    const master = daemonSpec(layout, cluster, daemon('master', 7001), runtime, sized, {});
    expect(master.env.SPARK_DAEMON_MEMORY).toBe('768m');
    // What the kept launch is keyed by stays the server's, so every cluster of the image shares one.
    expect(daemonEnv(runtime, sized, {})).toEqual(daemonEnv(runtime, DEFAULT_RESOURCES, {}));

    const launch: DaemonLaunch = {
      commands: {
        master: ['/jdk/bin/java', '-cp', '/spark/jars/*', '-Duser=1', '-Xmx256m', MASTER_CLASS],
        worker: ['/jdk/bin/java', '-cp', '/spark/jars/*', '-Xmx256m', WORKER_CLASS],
      },
      archives: undefined,
    };
    const kept = daemonSpec(layout, cluster, daemon('master', 7001), runtime, sized, {}, launch);
    expect(kept.args.filter((arg) => arg.startsWith('-Xmx'))).toEqual(['-Xmx768m']);
    expect(kept.args.slice(-8, -6)).toEqual(['-Xmx768m', MASTER_CLASS]);
    const keptWorker = daemonSpec(layout, cluster, daemon('worker', 7100), runtime, sized, {}, launch);
    expect(keptWorker.args.filter((arg) => arg.startsWith('-Xmx'))).toEqual(['-Xmx256m']);
    expect(keptWorker.args).toEqual(expect.arrayContaining(['--cores', '3', '--memory', '409m']));
  });
});

describe('aliveWorkerPorts', () => {
  it('counts only ALIVE workers on 127.0.0.1, by port', () => {
    const ports = aliveWorkerPorts({
      status: 'ALIVE',
      workers: [
        { host: '127.0.0.1', port: 1, state: 'ALIVE' },
        { host: '127.0.0.1', port: 2, state: 'DEAD' },
        { host: '10.0.0.1', port: 3, state: 'ALIVE' },
      ],
    });
    expect([...ports]).toEqual([1]);
    expect(aliveWorkerPorts(undefined).size).toBe(0);
  });
});
