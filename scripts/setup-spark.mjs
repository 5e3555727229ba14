#!/usr/bin/env node
// Installs the Spark runtime of the local driver: the `pyspark` package from PyPI (it carries a whole Spark
// distribution: bin/spark-class, jars/) into a project-local directory. Idempotent and fast when present;
// registers nothing globally. `SPARK_HOME`, when set, is used instead and nothing is installed.
//
//   node scripts/setup-spark.mjs            install into <repo>/.oshinko/runtime when missing
//   PYTHON=python3.12 node ...              the Python whose pip installs it (default: python3)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYSPARK_VERSION = '4.3.0';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The local driver looks here (src/drivers/local/spark-home.ts: defaultRuntimeDir).
const target = join(repo, '.oshinko', 'runtime');
const marker = join(target, 'oshinko-runtime.json');

function fail(message) {
  process.stderr.write(`setup-spark: ${message}\n`);
  process.exit(1);
}

function javaCommand() {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? join(javaHome, 'bin', 'java') : 'java';
}

function checkJava() {
  const java = javaCommand();
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    fail(
      `Java was not found (tried ${JSON.stringify(java)}${process.env.JAVA_HOME ? ' from JAVA_HOME' : ' on PATH'}). ` +
        'Spark needs Java 17 or newer: install a JDK (e.g. `apt-get install openjdk-17-jre-headless`) ' +
        'and put `java` on PATH or set JAVA_HOME.',
    );
  }
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : undefined;
  if (major !== undefined && major < 17) {
    fail(
      `Spark ${PYSPARK_VERSION} needs Java 17 or newer; ${java} is Java ${major}. Set JAVA_HOME to a newer JDK.`,
    );
  }
}

function sparkHomeOk(home) {
  return existsSync(join(home, 'bin', 'spark-class')) && existsSync(join(home, 'jars'));
}

function installed() {
  if (!existsSync(marker) || !sparkHomeOk(join(target, 'pyspark'))) return false;
  try {
    return JSON.parse(readFileSync(marker, 'utf8')).version === PYSPARK_VERSION;
  } catch {
    return false;
  }
}

function main() {
  checkJava();
  const sparkHome = process.env.SPARK_HOME;
  if (sparkHome) {
    if (!sparkHomeOk(sparkHome)) {
      fail(
        `SPARK_HOME=${sparkHome} has no bin/spark-class and jars/; point it at a Spark distribution or unset it.`,
      );
    }
    process.stdout.write(`setup-spark: using SPARK_HOME=${sparkHome}; nothing to install\n`);
    return;
  }
  if (installed()) {
    process.stdout.write(`setup-spark: Spark ${PYSPARK_VERSION} present in ${target}\n`);
    return;
  }
  const python = process.env.PYTHON || 'python3';
  const pip = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
  if (pip.error || pip.status !== 0) {
    fail(
      `Python 3 with pip was not found (tried \`${python} -m pip\`). Install Python 3 and pip ` +
        '(e.g. `apt-get install python3 python3-pip`), or set SPARK_HOME to an existing Spark distribution.',
    );
  }
  process.stdout.write(`setup-spark: installing pyspark ${PYSPARK_VERSION} into ${target} (one time)\n`);
  // Install next to the target and rename, so an interrupted install never looks complete.
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  const result = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--target',
      staging,
      `pyspark==${PYSPARK_VERSION}`,
    ],
    { stdio: 'inherit' },
  );
  if (result.error || result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    fail(
      `pip could not install pyspark ${PYSPARK_VERSION} (exit ${result.status ?? result.error?.message}); see above.`,
    );
  }
  if (!sparkHomeOk(join(staging, 'pyspark'))) {
    rmSync(staging, { recursive: true, force: true });
    fail(`the installed pyspark has no bin/spark-class; cannot use it as a Spark home`);
  }
  writeFileSync(
    join(staging, 'oshinko-runtime.json'),
    `${JSON.stringify({ version: PYSPARK_VERSION, installedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  process.stdout.write(
    `setup-spark: Spark ${PYSPARK_VERSION} installed; Spark home ${join(target, 'pyspark')}\n`,
  );
}

main();
