/**
 * The versions a Spark image carries, as its own tools print them, and whether an application submitted with
 * other versions can run on it. Pure: the drivers and the CLI give the text.
 */
import type { ImageVersions } from './cluster.js';

/** Spark's version banner: "... /_/\_\   version 4.0.1" and "Using Scala version 2.13.16, <VM>, 17.0.16". */
export function parseSparkBanner(output: readonly string[]): ImageVersions {
  let spark: string | undefined;
  let scala: string | undefined;
  let java: string | undefined;
  for (const line of output) {
    const sparkMatch = /\bversion\s+(\d+\.\d+\S*)\s*$/.exec(line);
    if (sparkMatch !== null && !line.includes('Using Scala')) spark = sparkMatch[1];
    const scalaMatch = /^\s*Using Scala version\s+([^,\s]+),.*,\s*(\S+)\s*$/.exec(line);
    if (scalaMatch !== null) {
      scala = scalaMatch[1];
      java = scalaMatch[2];
    }
  }
  return {
    ...(spark === undefined ? {} : { spark }),
    ...(scala === undefined ? {} : { scala }),
    ...(java === undefined ? {} : { java }),
  };
}

/** "Python 3.11.2" -> "3.11.2". */
export function parsePythonVersion(text: string): string | undefined {
  return /^Python\s+(\d+\.\d+\S*)/.exec(text.trim())?.[1];
}

/** Major.minor of a version ("3.5.3" -> "3.5"); the whole text when it has no minor. */
export function minorOf(version: string): string {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match === null ? version : `${match[1] ?? ''}.${match[2] ?? ''}`;
}

/**
 * Where the versions an application is submitted with differ from the cluster's in a way that breaks it: Spark's
 * and Scala's major.minor (serialized classes, jars built for one Scala), Python's major.minor (PySpark refuses
 * workers of another minor). Java may differ. One sentence each; none when nothing is known to differ.
 */
export function versionMismatches(
  cluster: ImageVersions,
  submitter: ImageVersions,
  checkPython: boolean,
): string[] {
  const problems: string[] = [];
  const compare = (what: string, theirs: string | undefined, ours: string | undefined) => {
    if (theirs !== undefined && ours !== undefined && minorOf(theirs) !== minorOf(ours)) {
      problems.push(`${what} ${ours} here, ${theirs} in the cluster (${minorOf(theirs)}.x needed)`);
    }
  };
  compare('Spark', cluster.spark, submitter.spark);
  compare('Scala', cluster.scala, submitter.scala);
  if (checkPython) compare('Python', cluster.python, submitter.python);
  return problems;
}
