/**
 * The jobs the local driver benchmark submits (a small PySpark sum, and a CPU-bound one computed in the
 * executors' JVMs), and spark-submit in client mode with a driver log that says where a submit's time goes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientModeArgs, runSparkSubmit } from '../../test/support/spark-submit.js';
import { baseEnv, sparkHome, TIMEOUT_MS, work } from './setup.js';

const SMALL_APP = `
from pyspark import SparkContext
sc = SparkContext()
print("RESULT %d" % sc.parallelize(range(1000), 4).sum(), flush=True)
sc.stop()
`;

/** Executors compute in their JVMs (generated code over a range): what their JIT settings would slow. */
const CPU_APP = `
import sys, time
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.getOrCreate()
began = time.time()
value = spark.range(0, int(sys.argv[1]), 1, 8).select(F.sum(F.hash("id", F.col("id") * 7) % 1000)).first()[0]
print("RESULT %d %.3f" % (value, time.time() - began), flush=True)
spark.stop()
`;

export const smallApp = (): string => join(work(), 'small_app.py');
export const cpuApp = (): string => join(work(), 'cpu_app.py');
/**
 * The driver's log at Spark's default level (INFO, on stderr; without the default's quieter Jetty and other loggers),
 * with times in epoch milliseconds for the phases.
 */
const driverLog4j = (): string => join(work(), 'driver-log4j2.properties');

/** Writes the applications and the driver's log configuration into the run's directory. */
export function writeApps(): void {
  writeFileSync(smallApp(), SMALL_APP);
  writeFileSync(cpuApp(), CPU_APP);
  writeFileSync(
    driverLog4j(),
    [
      'rootLogger.level = info',
      'rootLogger.appenderRef.stderr.ref = console',
      'appender.console.type = Console',
      'appender.console.name = console',
      'appender.console.target = SYSTEM_ERR',
      'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = %d{UNIX_MILLIS} %p %c{1}: %m%n%ex',
      '',
    ].join('\n'),
  );
}

/**
 * Where a submit's time goes, in ms from spark-submit's start, from the driver's log: its JVM logging (the
 * launcher JVM, then the driver JVM), the application registered with the master, every executor launched by the
 * workers, every executor registered with the driver (its JVM up), the job done; and spark-submit's exit.
 */
const PHASES = {
  driverUp: { pattern: /Running Spark version/, last: false },
  appRegistered: { pattern: /Connected to Spark cluster with app ID/, last: false },
  executorsLaunched: { pattern: /Executor added:/, last: true },
  executorsUp: { pattern: /Registered executor/, last: true },
  jobDone: { pattern: /Job 0 finished/, last: false },
} as const;
type Phase = keyof typeof PHASES | 'exit';
export type Phases = Record<Phase, number>;

function phasesOf(log: string, startedAt: number, endedAt: number): Phases {
  const lines = log.split('\n');
  const at = (phase: keyof typeof PHASES): number => {
    const { pattern, last } = PHASES[phase];
    const matching = lines.filter((line) => pattern.test(line));
    const line = last ? matching[matching.length - 1] : matching[0];
    return line === undefined ? NaN : Number(line.split(' ')[0]) - startedAt;
  };
  return {
    driverUp: at('driverUp'),
    appRegistered: at('appRegistered'),
    executorsLaunched: at('executorsLaunched'),
    executorsUp: at('executorsUp'),
    jobDone: at('jobDone'),
    exit: endedAt - startedAt,
  };
}

/**
 * Runs an application with the runtime's spark-submit in client mode; returns what it printed after RESULT, and
 * where the time went.
 */
export async function submit(
  masterUrl: string,
  app: string,
  args: readonly string[] = [],
): Promise<{ result: string; phases: Phases }> {
  const startedAt = Date.now();
  const { code, stdout, stderr } = await runSparkSubmit(
    sparkHome,
    [
      ...clientModeArgs(masterUrl, '127.0.0.1'),
      '--driver-java-options',
      `-Dlog4j2.configurationFile=file:${driverLog4j()}`,
      app,
      ...args,
    ],
    { cwd: work(), env: { ...baseEnv, SPARK_LOCAL_IP: '127.0.0.1' }, timeoutMs: TIMEOUT_MS },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || line === undefined)
    throw new Error(`spark-submit exited with ${String(code)}: ${stderr.slice(-3000)}`);
  return { result: line.slice('RESULT '.length), phases: phasesOf(stderr, startedAt, Date.now()) };
}
