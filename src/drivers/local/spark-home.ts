import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A directory is a Spark home when it has an executable-looking `bin/spark-class`. */
export function isSparkHome(dir: string): boolean {
  try {
    return statSync(join(dir, 'bin', 'spark-class')).isFile();
  } catch {
    return false;
  }
}

/** The Spark version of a distribution, read from its `jars/spark-core_<scala>-<version>.jar`. */
export function sparkVersionOf(home: string): string | undefined {
  const jars = join(home, 'jars');
  if (!existsSync(jars)) return undefined;
  for (const name of readdirSync(jars)) {
    const match = /^spark-core_[\d.]+-(.+)\.jar$/.exec(name);
    if (match) return match[1];
  }
  return undefined;
}

/** The Scala (binary) version a distribution was built for, from the `_<scala>` of its spark-core jar. */
export function scalaVersionOf(home: string): string | undefined {
  const jars = join(home, 'jars');
  if (!existsSync(jars)) return undefined;
  for (const name of readdirSync(jars)) {
    const match = /^spark-core_([\d.]+)-.+\.jar$/.exec(name);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * Python paths a Spark home needs for PySpark: its `python/lib/*.zip` (pyspark.zip, py4j), as Spark's own
 * scripts add them.
 */
export function sparkPythonPath(home: string): string[] {
  const lib = join(home, 'python', 'lib');
  if (!existsSync(lib)) return [];
  return readdirSync(lib)
    .filter((name) => name.endsWith('.zip'))
    .sort()
    .map((name) => join(lib, name));
}

/** `<project>/.oshinko/runtime`, from this module's place in src/ or dist/. */
export function defaultRuntimeDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '.oshinko', 'runtime');
}

/** The Spark home the local driver uses by default: SPARK_HOME, else the pyspark package setup installed. */
export function runtimeSparkHome(options: {
  readonly sparkHome: string | undefined;
  readonly runtimeDir?: string | undefined;
}): string {
  return options.sparkHome ?? join(options.runtimeDir ?? defaultRuntimeDir(), 'pyspark');
}
