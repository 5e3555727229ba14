/**
 * The versions a cluster's image carries (its `sparkVersion`, ... fields) as words, and which ones to submit with.
 * One formatter for every client of the API, so the CLI and the console say it alike.
 */
import { minorOf } from '../core/image-versions.js';

export interface VersionFields {
  readonly sparkVersion?: string | undefined;
  readonly scalaVersion?: string | undefined;
  readonly javaVersion?: string | undefined;
  readonly pythonVersion?: string | undefined;
}

/** "Spark 3.5.3 (Scala 2.12.18, Java 17.0.12), Python 3.11.2"; undefined until the image check passed. */
export function formatVersions(cluster: VersionFields): string | undefined {
  if (cluster.sparkVersion === undefined) return undefined;
  const jvm = [
    cluster.scalaVersion === undefined ? undefined : `Scala ${cluster.scalaVersion}`,
    cluster.javaVersion === undefined ? undefined : `Java ${cluster.javaVersion}`,
  ].filter((part) => part !== undefined);
  return `Spark ${cluster.sparkVersion}${jvm.length === 0 ? '' : ` (${jvm.join(', ')})`}, ${
    cluster.pythonVersion === undefined ? 'no python3' : `Python ${cluster.pythonVersion}`
  }`;
}

/** "Spark 3.5.x and Python 3.11 (e.g. pip install pyspark==3.5.3)": what an application is submitted with. */
export function submitWith(cluster: VersionFields): string | undefined {
  if (cluster.sparkVersion === undefined) return undefined;
  const python = cluster.pythonVersion === undefined ? '' : ` and Python ${minorOf(cluster.pythonVersion)}`;
  return `Spark ${minorOf(cluster.sparkVersion)}.x${python} (e.g. pip install pyspark==${cluster.sparkVersion})`;
}
