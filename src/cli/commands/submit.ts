import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ClusterModel, OshinkoClient } from '../../client/oshinko-client.js';
import { formatVersions } from '../../client/format-versions.js';
import type { ImageVersions } from '../../core/cluster.js';
import { InvalidInputError, UnprocessableError } from '../../core/errors.js';
import { parsePythonVersion, parseSparkBanner, versionMismatches } from '../../core/image-versions.js';
import { connect, connectionFlags } from '../connection.js';
import { collect, parseClusterName, parsePairs } from '../flags.js';
import type { CliIo, Schedule } from '../io.js';

interface SubmitFlags {
  sparkHome?: string;
  master?: string;
  conf: string[];
  skipVersionCheck?: boolean;
}

/** The statuses in which a cluster takes applications: its master is up and its workers are registered. */
const SUBMITTABLE = new Set<ClusterModel['status']>(['Running', 'Scaling']);

/** A PySpark application: its executors run Python, so Python's version matters too. */
export function isPythonApp(app: string): boolean {
  return app.endsWith('.py') || app.endsWith('.zip') || app.endsWith('.egg');
}

/** The spark-submit arguments: client mode against the master, the given properties, the app and its own args. */
export function submitArgs(
  masterUrl: string,
  conf: Readonly<Record<string, string>>,
  app: string,
  args: readonly string[],
): string[] {
  return [
    '--master',
    masterUrl,
    '--deploy-mode',
    'client',
    ...Object.entries(conf).flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
    app,
    ...args,
  ];
}

/**
 * Refuses what would fail on the cluster: versions of Spark, Scala (and Python for a PySpark application) other
 * than the ones the cluster's image carries. Says what to do about it.
 */
export function checkVersions(cluster: ClusterModel, here: ImageVersions, pythonApp: boolean): void {
  const theirs: ImageVersions = {
    spark: cluster.sparkVersion,
    scala: cluster.scalaVersion,
    python: cluster.pythonVersion,
  };
  const problems = versionMismatches(theirs, here, pythonApp);
  if (problems.length > 0) {
    throw new UnprocessableError(
      `the versions here do not fit cluster "${cluster.name}": ${problems.join('; ')}. Submit with a Spark ${
        cluster.sparkVersion ?? ''
      } client (--spark-home, SPARK_HOME)${pythonApp && cluster.pythonVersion !== undefined ? ` and Python ${cluster.pythonVersion} (PYSPARK_PYTHON)` : ''}, or pass --skip-version-check`,
    );
  }
}

/** Runs a program and collects what it prints; its exit status too. Never through a shell. */
function capture(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ code: number | null; output: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => {
      resolve({ code: null, output, error });
    });
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

/** The spark-submit to run: the flag, else on the local driver the client of the cluster's own image, else SPARK_HOME, else PATH. */
async function sparkSubmitOf(
  flags: SubmitFlags,
  cluster: ClusterModel,
  client: OshinkoClient,
  io: CliIo,
): Promise<string> {
  if (flags.sparkHome !== undefined) return join(flags.sparkHome, 'bin', 'spark-submit');
  const info = await client.info();
  if (info.application.driver === 'local') {
    const image = (await client.listImages()).find((found) => found.ref === cluster.image);
    if (image !== undefined) return join(image.sparkHome, 'bin', 'spark-submit');
  }
  const home = io.env.SPARK_HOME;
  return home !== undefined && home !== '' ? join(home, 'bin', 'spark-submit') : 'spark-submit';
}

/** What the submitting side carries: the spark-submit's banner, and the Python PySpark will use. */
async function localVersions(
  sparkSubmit: string,
  pythonApp: boolean,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ImageVersions> {
  const spark = await capture(sparkSubmit, ['--version'], env);
  if (spark.error !== undefined || spark.code !== 0) {
    throw new InvalidInputError(
      `cannot run ${sparkSubmit} --version${spark.error === undefined ? ` (exit code ${String(spark.code)})` : `: ${spark.error.message}`}; give a Spark client with --spark-home or SPARK_HOME`,
      { field: '--spark-home' },
    );
  }
  const versions = parseSparkBanner(spark.output.split('\n'));
  if (!pythonApp) return versions;
  const pythonCommand =
    env.PYSPARK_PYTHON !== undefined && env.PYSPARK_PYTHON !== '' ? env.PYSPARK_PYTHON : 'python3';
  const python = await capture(pythonCommand, ['--version'], env);
  const found = python.code === 0 ? parsePythonVersion(python.output) : undefined;
  return found === undefined ? versions : { ...versions, python: found };
}

export function registerSubmit(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('submit')
    .description(
      "Run spark-submit (client mode) against a cluster's master, after checking that its Spark, Scala and Python fit the cluster's image",
    )
    .argument('<name>', 'the cluster (completed from the server)')
    .argument(
      '<app>',
      'the application: a .py file, or a jar (with --conf or args as spark-submit takes them)',
    )
    .argument('[args...]', "the application's own arguments")
    .option(
      '--spark-home <dir>',
      'the Spark client to submit with (default: local driver: the cluster image; else SPARK_HOME; else spark-submit on PATH)',
    )
    .option('--master <url>', "the master's URL as seen from here (default: the cluster's masterUrl)")
    .option('--conf <key=value>', 'a Spark property for spark-submit (repeatable)', collect, [])
    .option('--skip-version-check', 'submit even when the versions differ from the cluster image')
    .addHelpText(
      'after',
      `
Examples:
  oshinko submit spark1 ./wordcount.py input.txt
  oshinko submit etl ./job.py --conf spark.executor.memory=2g
  oshinko submit etl ./job.py --master spark://10.0.0.5:7077 --conf spark.driver.host=10.0.0.1`,
    )
    .action((name: string, app: string, args: string[], flags: SubmitFlags, command: Command) => {
      run(async () => {
        parseClusterName(name);
        const conf = parsePairs(flags.conf, '--conf');
        const { client } = connect(connectionFlags(command), io);
        const cluster = await client.getCluster(name);
        if (!SUBMITTABLE.has(cluster.status)) {
          throw new UnprocessableError(
            `cluster "${name}" is ${cluster.status}${cluster.reason === undefined ? '' : ` (${cluster.reason})`}: an application needs it Running; see 'oshinko get ${name}'`,
          );
        }
        const sparkSubmit = await sparkSubmitOf(flags, cluster, client, io);
        const pythonApp = isPythonApp(app);
        const versions = formatVersions(cluster);
        if (flags.skipVersionCheck === true) {
          io.stderr.write('versions not checked (--skip-version-check)\n');
        } else if (versions === undefined) {
          io.stderr.write(`the versions of cluster "${name}" are not known yet: not checked\n`);
        } else {
          const here = await localVersions(sparkSubmit, pythonApp, io.env);
          checkVersions(cluster, here, pythonApp);
          io.stderr.write(
            `cluster "${name}" runs ${versions}; submitting with Spark ${here.spark ?? '?'}${pythonApp ? `, Python ${here.python ?? '?'}` : ''}\n`,
          );
        }
        const child = spawn(sparkSubmit, submitArgs(flags.master ?? cluster.masterUrl, conf, app, args), {
          env: io.env,
          stdio: ['inherit', 'pipe', 'pipe'],
        });
        child.stdout.pipe(io.stdout, { end: false });
        child.stderr.pipe(io.stderr, { end: false });
        return new Promise<number>((resolve, reject) => {
          child.on('error', (error) => {
            reject(
              new InvalidInputError(`cannot run ${sparkSubmit}: ${error.message}`, { field: '--spark-home' }),
            );
          });
          child.on('close', (code) => {
            resolve(code ?? 1);
          });
        });
      });
    });
}
