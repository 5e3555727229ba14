/**
 * The key of a kept launch (launch-cache.ts): a hash of all a daemon's launch depends on, the JDK, the image's jars
 * and conf scripts, and the daemons' environment, so that a kept launch that no longer fits is never used.
 */
import { createHash } from 'node:crypto';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileText } from './files.js';
import { imageConfDir } from './launch-command.js';
import type { ImageRecord } from './records.js';

/** Bumped when what a kept launch holds, or how it is made, changes. */
export const LAUNCH_FORMAT = 2;

export type LaunchImage = Pick<ImageRecord, 'kind' | 'sparkHome' | 'distribution'>;

/** The java a daemon runs: JAVA_HOME's, else the first on PATH (as spark-class finds it). */
export async function resolveJava(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (env.JAVA_HOME) return realpath(join(env.JAVA_HOME, 'bin', 'java'));
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'java');
    if (
      await access(candidate)
        .then(() => true)
        .catch(() => false)
    )
      return realpath(candidate);
  }
  throw new Error('java was found neither in JAVA_HOME nor on PATH');
}

/** Environment variables the launcher or the JVM's class path depend on. */
function launchRelevant(name: string): boolean {
  return (
    name.startsWith('SPARK_') || ['JAVA_HOME', 'HADOOP_CONF_DIR', 'YARN_CONF_DIR', 'CLASSPATH'].includes(name)
  );
}

async function listing(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const rows = await Promise.all(
    names.sort().map(async (name) => {
      const info = await stat(join(dir, name)).catch(() => undefined);
      return `${name} ${String(info?.size ?? -1)} ${String(info?.mtimeMs ?? -1)}`;
    }),
  );
  return rows;
}

/**
 * The key of an image's launch in an environment: a hash of the JDK (its binary and module image), the jars of the
 * image and its distribution (names, sizes, times), its conf scripts, and the launch-relevant environment.
 */
export async function launchKey(
  image: LaunchImage,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const java = await resolveJava(env);
  const javaHome = dirname(dirname(java));
  const modules = await stat(join(javaHome, 'lib', 'modules')).catch(() => undefined);
  const confDir = imageConfDir(image);
  const parts = {
    format: LAUNCH_FORMAT,
    java,
    modules: `${String(modules?.size ?? -1)} ${String(modules?.mtimeMs ?? -1)}`,
    release: await fileText(join(javaHome, 'release')),
    image: [image.kind, image.sparkHome, image.distribution],
    jars: await listing(join(image.distribution, 'jars')),
    imageJars: image.kind === 'built' ? await listing(join(image.sparkHome, 'jars')) : [],
    sparkEnv: await fileText(join(confDir, 'spark-env.sh')),
    javaOpts: await fileText(join(confDir, 'java-opts')),
    env: Object.entries(env)
      .filter(([name, value]) => value !== undefined && launchRelevant(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 20);
}
