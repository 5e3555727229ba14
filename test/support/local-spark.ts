import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OshinkoClient, type ClusterModel } from '../../src/client/oshinko-client.js';
import { parseServeConfig } from '../../src/server/serve-config.js';
import { submitForResult } from './spark-submit.js';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { clusterWaiter } from './wait-for-cluster.js';

/** A real server with the local driver on 127.0.0.1:0 and the given data directory. */
export async function startLocalServer(
  home: string,
): Promise<{ server: RunningServer; client: OshinkoClient }> {
  const config = parseServeConfig(
    { driver: 'local', port: '0', home, logLevel: 'warn' },
    // No SPARK_HOME: the tests run the runtime that setup installed, whose image is spark:4.3.0.
    { PATH: process.env.PATH, HOME: process.env.HOME, JAVA_HOME: process.env.JAVA_HOME },
  );
  const server = await serve(config);
  return { server, client: new OshinkoClient(server.url, { timeoutMs: 60_000 }) };
}

export async function tempHome(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The wait for a cluster of local Spark daemons (JVMs that take seconds to start on a loaded machine). */
export const waitForCluster = clusterWaiter({ timeoutMs: 240_000, intervalMs: 500 });

export const allWorkersReady = (cluster: ClusterModel): boolean =>
  cluster.status === 'Running' && cluster.workers.ready === cluster.workers.desired;

/** What a probe task saw on an executor. */
export interface ProbeResult {
  readonly module: string | null;
  readonly flavor: string | null;
  /** OSHINKO_IMAGE_ENV in an executor's environment (an image's `--env`). */
  readonly imageEnv: string | null;
  readonly driverConf: string | null;
  /** URL of the resource in the image's jar, as an executor JVM's class path finds it. */
  readonly jarResource: string | null;
  /** The class-data-sharing archives (file names) the executor JVM that ran the task has mapped. */
  readonly archives: readonly string[] | null;
}

const PROBE_APP = `
import json, os
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("oshinko-probe").getOrCreate()

def executor_archives():
    # The task runs in a Python worker under the executor JVM: up the parents to it, then its mapped archives.
    pid = os.getpid()
    while pid > 1:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"CoarseGrainedExecutorBackend" in f.read():
                with open("/proc/%d/maps" % pid) as maps:
                    names = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if line.rstrip().endswith(".jsa")}
                return sorted(names)
        with open("/proc/%d/stat" % pid) as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    return None

def probe(_):
    try:
        import oshinko_probe_module
        module = oshinko_probe_module.MAGIC
    except ImportError:
        module = None
    yield json.dumps({"module": module, "flavor": os.environ.get("OSHINKO_FLAVOR"),
                      "imageEnv": os.environ.get("OSHINKO_IMAGE_ENV"), "archives": executor_archives()})

seen = spark.sparkContext.parallelize([0], 1).mapPartitions(probe).collect()
result = json.loads(seen[0])
result["driverConf"] = spark.sparkContext.getConf().get("spark.oshinko.flavor", None)
# reflect() runs in the executor JVM: its class path has the image's jars or not.
# reflect() gives String.valueOf(result): "null" when the resource is missing.
url = spark.range(1).selectExpr(
    "reflect('java.lang.ClassLoader', 'getSystemResource', 'oshinko-probe.txt') AS r").collect()[0].r
result["jarResource"] = None if url in (None, "null") else url
print("PROBE " + json.dumps(result), flush=True)
spark.stop()
`;

/** Writes a jar (a zip) holding one resource, `oshinko-probe.txt`, with Python's zipfile. */
export function writeProbeJar(path: string): void {
  const script =
    'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z: z.writestr("oshinko-probe.txt", "ok")';
  const result = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot write ${path}: ${result.stderr}`);
}

/** Runs the probe application with `<sparkHome>/bin/spark-submit` against a master; returns what executors saw. */
export async function runProbe(sparkHome: string, masterUrl: string, workDir: string): Promise<ProbeResult> {
  const app = join(workDir, 'probe_app.py');
  await writeFile(app, PROBE_APP);
  return submitForResult<ProbeResult>({
    sparkHome,
    masterUrl,
    driverHost: '127.0.0.1',
    app,
    cwd: workDir,
    marker: 'PROBE',
  });
}
