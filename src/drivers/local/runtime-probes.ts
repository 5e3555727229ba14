/**
 * What the local driver asks of this machine's runtime: that Java runs (checked once at start), and the versions an
 * image runs with (its Spark and Scala from its jars, the executors' Python from the environment), which the
 * Kubernetes driver reads with its image check.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ImageVersions } from '../../core/cluster.js';
import { ConfigurationError } from '../../core/errors.js';
import { parsePythonVersion } from '../../core/image-versions.js';
import { scalaVersionOf, sparkVersionOf } from './spark-home.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Refuses to start without a Java the daemons could run on, saying where it looked. */
export function checkJava(env: Env): void {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const result = spawnSync(java, ['-version'], { env, encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new ConfigurationError(
      `Java was not found (tried ${java}${env.JAVA_HOME ? ' from JAVA_HOME' : ' on PATH'}); the local driver runs Spark, which needs Java 17 or newer: install a JDK and put java on PATH or set JAVA_HOME`,
    );
  }
}

/**
 * The Python the executors' Python workers run: `PYSPARK_PYTHON` of the server's environment, else `python3`, as
 * Spark chooses. Undefined when there is none.
 */
function localPythonVersion(env: Env): string | undefined {
  const python =
    env.PYSPARK_PYTHON !== undefined && env.PYSPARK_PYTHON !== '' ? env.PYSPARK_PYTHON : 'python3';
  const result = spawnSync(python, ['--version'], { env, encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return parsePythonVersion(`${result.stdout}${result.stderr}`);
}

/** The versions of the images' runtimes: the Python once, each distribution's Spark and Scala once. */
export class RuntimeVersions {
  private readonly pythonVersion: string | undefined;
  /** Spark and Scala versions by distribution directory, read from its jars once. */
  private readonly sparkVersions = new Map<string, ImageVersions>();

  constructor(env: Env) {
    this.pythonVersion = localPythonVersion(env);
  }

  /** What the image check finds on Kubernetes, from the image store: its Spark and the executors' Python. */
  of(distribution: string): ImageVersions {
    let jvm = this.sparkVersions.get(distribution);
    if (jvm === undefined) {
      const spark = sparkVersionOf(distribution);
      const scala = scalaVersionOf(distribution);
      jvm = { ...(spark === undefined ? {} : { spark }), ...(scala === undefined ? {} : { scala }) };
      this.sparkVersions.set(distribution, jvm);
    }
    return { ...jvm, ...(this.pythonVersion === undefined ? {} : { python: this.pythonVersion }) };
  }
}
