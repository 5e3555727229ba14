/**
 * A PySpark application submitted from the host (client mode) to a cluster on the test Kubernetes: the driver
 * runs here with the project's Spark runtime, the executors in the cluster's worker pods.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { submitForResult } from '../support/spark-submit.js';
import { REPO } from './real-cluster.js';

/** The module a custom image carries; `transform` proves its code ran, `MAGIC` which build it was. */
export function probeModule(magic: string): string {
  return `MAGIC = ${JSON.stringify(magic)}\n\ndef transform(x):\n    return x * x + 1\n`;
}
export const PROBE_MODULE_NAME = 'oshinko_probe_module';

const APP = `
import json, socket
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("oshinko-e2e-kube").getOrCreate()

def work(x):
    try:
        import ${PROBE_MODULE_NAME} as m
        return (m.MAGIC, m.transform(x), socket.gethostname())
    except ImportError:
        return (None, x * x, socket.gethostname())

rows = spark.sparkContext.parallelize(range(100), 4).map(work).collect()
print("RESULT " + json.dumps({
    "magic": sorted(set(r[0] for r in rows if r[0] is not None)),
    "withoutModule": sum(1 for r in rows if r[0] is None),
    "sum": sum(r[1] for r in rows),
    "hosts": sorted(set(r[2] for r in rows)),
}), flush=True)
spark.stop()
`;

export interface AppResult {
  /** The MAGIC values the executors imported. */
  readonly magic: readonly string[];
  /** How many elements were computed where the module could not be imported. */
  readonly withoutModule: number;
  /** sum(transform(x)) over range(100): 328450 with the module, 328350 without. */
  readonly sum: number;
  /** The executors' host names: the worker pods' names. */
  readonly hosts: readonly string[];
}

export const SUM_WITH_MODULE = 328450;
export const SUM_WITHOUT_MODULE = 328350;

/**
 * Runs the application against `masterUrl`. The driver binds to and advertises `driverHost`, the node address the
 * executors in the pods reach the host at.
 */
export async function runApp(masterUrl: string, driverHost: string): Promise<AppResult> {
  const work = await mkdtemp(join(tmpdir(), 'oshinko-app-'));
  try {
    const app = join(work, 'app.py');
    await writeFile(app, APP);
    return await submitForResult<AppResult>({
      sparkHome: join(REPO, '.oshinko', 'runtime', 'pyspark'),
      masterUrl,
      driverHost,
      app,
      cwd: work,
      marker: 'RESULT',
      timeoutMs: 240_000,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
