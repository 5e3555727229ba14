/**
 * What a built image is made of, from its build request: the record, `conf/spark-defaults.conf`,
 * `conf/spark-env.sh` and the `bin/` wrappers. Pure: the store reads the base and writes what these return.
 */
import { basename, dirname, join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { ImageRecord } from './records.js';

/** Scripts of a Spark distribution that a built image wraps (the ones that exist). */
export const WRAPPED_SCRIPTS = [
  'spark-class',
  'spark-submit',
  'pyspark',
  'spark-shell',
  'spark-sql',
  'beeline',
  'run-example',
  'sparkR',
] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONF_KEY = /^[A-Za-z][A-Za-z0-9_.\-[\]]*$/;
/** Variables a built image sets itself; `--env` may not override them. */
const RESERVED_ENV = new Set(['SPARK_HOME', 'SPARK_CONF_DIR', 'SPARK_ENV_LOADED']);
export const PYTHON_ARCHIVE = /\.(zip|egg|whl)$/;

/** Quotes a string for a POSIX shell: the only way user text gets into generated scripts. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Shell text that appends `:$NAME` when the variable is set (NAME is one of ours, never user input). */
function appendExisting(name: string): string {
  return '"$' + `{${name}:+:$${name}}"`;
}

/** Escapes a key or value for java.util.Properties, the format Spark reads spark-defaults.conf with. */
export function propertiesEscape(text: string, isKey: boolean): string {
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (char === '\\') out += '\\\\';
    else if (char === '\t') out += '\\t';
    else if ((isKey || index === 0) && char === ' ') out += '\\ ';
    else if (isKey && (char === '=' || char === ':' || char === '#' || char === '!')) out += `\\${char}`;
    else out += char;
  }
  return out;
}

function checkValue(text: string, field: string): void {
  if (/[\r\n\0]/.test(text)) {
    throw new InvalidInputError(`invalid ${field} ${JSON.stringify(text)}: line breaks are not allowed`, {
      field,
    });
  }
}

export function validateConf(conf: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(conf)) {
    if (!CONF_KEY.test(key)) {
      throw new InvalidInputError(
        `invalid --conf key ${JSON.stringify(key)}: a Spark property name starts with a letter and has letters, digits, '.', '_', '-' (e.g. spark.executor.memory)`,
        { field: 'conf' },
      );
    }
    checkValue(value, `--conf ${key}`);
  }
}

export function validateEnv(env: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) {
      throw new InvalidInputError(
        `invalid --env name ${JSON.stringify(name)}: use letters, digits and '_', not starting with a digit`,
        { field: 'env' },
      );
    }
    if (RESERVED_ENV.has(name)) {
      throw new InvalidInputError(`--env ${name} is set by the image itself and cannot be overridden`, {
        field: 'env',
      });
    }
    checkValue(value, `--env ${name}`);
  }
}

/** PYTHONPATH entries of an image's Python files: the folders holding modules, and archives themselves. */
export function pythonPathOf(record: Pick<ImageRecord, 'pyFiles'>): string[] {
  const entries = record.pyFiles.map((file) => (PYTHON_ARCHIVE.test(file) ? file : dirname(file)));
  return [...new Set(entries)];
}

/** A build request once its files are checked: absolute paths of this image's own jars and Python files. */
export interface LayerRequest {
  readonly ref: string;
  readonly jars: readonly string[];
  readonly pyFiles: readonly string[];
  readonly conf: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The record of an image built on `base` into `dir`: its files are copied under `dir/jars` and `dir/python`, and
 * it adds them, its conf and env to its base's.
 */
export function builtImageRecord(
  request: LayerRequest,
  base: ImageRecord,
  dir: string,
  createdAt: string,
): ImageRecord {
  return {
    ref: request.ref,
    kind: 'built',
    base: base.ref,
    sparkHome: dir,
    distribution: base.distribution,
    sparkVersion: base.sparkVersion,
    createdAt,
    jars: [...base.jars, ...request.jars.map((jar) => join(dir, 'jars', basename(jar)))],
    pyFiles: [...base.pyFiles, ...request.pyFiles.map((file) => join(dir, 'python', basename(file)))],
    conf: { ...base.conf, ...request.conf },
    env: { ...base.env, ...request.env },
  };
}

/** What the base's own conf dir gives a built image (read by the store). */
export interface BaseConf {
  /** The base's `conf/` (a distribution's, or a built base's generated one). */
  readonly dir: string;
  /** A distribution's spark-defaults.conf, carried into the image's; '' for a built base or none. */
  readonly defaults: string;
  /** Whether the image's spark-env.sh sources the base's (a distribution's that has one). */
  readonly sourceEnv: boolean;
}

/**
 * `conf/spark-defaults.conf`: the conf of this image's clients (spark-submit, pyspark ...), which an application
 * takes to whatever cluster it is submitted to. So it says nothing about executors: they get the image's jars,
 * Python files and --env from the workers of a cluster of this image (spark-env.sh, inherited by every executor),
 * and the executors of another image's cluster never see them, whoever submits.
 */
export function sparkDefaultsConf(record: ImageRecord, baseRef: string, baseDefaults: string): string {
  const defaults: [string, string][] = [];
  const userConf = new Map(Object.entries(record.conf));
  if (record.jars.length > 0) {
    const key = 'spark.driver.extraClassPath';
    const given = userConf.get(key);
    userConf.delete(key);
    defaults.push([key, [...record.jars, given].filter((p) => p !== undefined).join(':')]);
  }
  defaults.push(...userConf.entries());
  return [
    baseDefaults.trimEnd(),
    `# Generated by oshinko image build for ${record.ref} (base ${baseRef}).`,
    ...defaults.map(([key, value]) => `${propertiesEscape(key, true)}=${propertiesEscape(value, false)}`),
    '',
  ]
    .filter((line, index) => index > 0 || line !== '')
    .join('\n');
}

/**
 * `conf/spark-env.sh`, sourced (with `set -a`) by Spark's scripts: daemons, spark-submit and, through the worker's
 * environment, executors get these variables (the worker's SPARK_DIST_CLASSPATH is on the class path it gives its
 * executors, its PYTHONPATH is merged into their Python workers').
 */
export function sparkEnvSh(record: ImageRecord, baseEnvScript: string | undefined): string {
  const pythonPath = pythonPathOf(record);
  const lines = [
    '# Generated by oshinko image build. Sourced by Spark scripts (load-spark-env.sh) with `set -a`.',
    ...(baseEnvScript === undefined ? [] : [`. ${shellQuote(baseEnvScript)}`]),
  ];
  if (pythonPath.length > 0) {
    lines.push(`PYTHONPATH=${shellQuote(pythonPath.join(':'))}${appendExisting('PYTHONPATH')}`);
  }
  if (record.jars.length > 0) {
    lines.push(
      `SPARK_DIST_CLASSPATH=${shellQuote(record.jars.join(':'))}${appendExisting('SPARK_DIST_CLASSPATH')}`,
    );
  }
  for (const [name, value] of Object.entries(record.env)) lines.push(`${name}=${shellQuote(value)}`);
  return `${lines.join('\n')}\n`;
}

/** `bin/<script>`: runs the distribution's script with the image's conf dir. */
export function scriptWrapper(distribution: string, confDir: string, script: string): string {
  return [
    '#!/usr/bin/env bash',
    `# Generated by oshinko image build: the Spark of the base image with this image's conf, jars and Python files.`,
    `export SPARK_HOME=${shellQuote(distribution)}`,
    `export SPARK_CONF_DIR=${shellQuote(confDir)}`,
    'unset SPARK_ENV_LOADED',
    `exec ${shellQuote(join(distribution, 'bin', script))} "$@"`,
    '',
  ].join('\n');
}

/** A file of a built image, relative to its directory. */
export interface ImageFile {
  readonly path: string;
  readonly content: string;
  /** Set for executables. */
  readonly mode?: number;
}

/**
 * The generated files of image `record` built on `base`: its conf and a wrapper for each of `scripts` (the
 * distribution's scripts among WRAPPED_SCRIPTS).
 */
export function imageLayerFiles(
  record: ImageRecord,
  base: Pick<ImageRecord, 'ref'>,
  baseConf: BaseConf,
  scripts: readonly string[],
): ImageFile[] {
  const confDir = join(record.sparkHome, 'conf');
  return [
    {
      path: join('conf', 'spark-defaults.conf'),
      content: sparkDefaultsConf(record, base.ref, baseConf.defaults),
    },
    {
      path: join('conf', 'spark-env.sh'),
      content: sparkEnvSh(record, baseConf.sourceEnv ? join(baseConf.dir, 'spark-env.sh') : undefined),
    },
    ...scripts.map((script) => ({
      path: join('bin', script),
      content: scriptWrapper(record.distribution, confDir, script),
      mode: 0o755,
    })),
  ];
}
