/**
 * How a daemon's JVM is started without `spark-class`'s first JVM. `spark-class` runs a launcher JVM
 * (`org.apache.spark.launcher.Main`) only to print the real command line, then execs it: on this machine that
 * first JVM costs about a third of a master's start. The local driver asks the launcher once per image, JDK and
 * environment (`launch-cache.ts`), keeps its answer, and starts each daemon from it. Pure: no I/O here.
 */
import { join } from 'node:path';

/**
 * Run by bash in front of each daemon: Spark's own `load-spark-env.sh` (the image's `spark-env.sh`, the variables
 * `spark-class` exports), then the JVM. Fixed text: the command comes as arguments and never meets a shell parser.
 */
export const LAUNCH_SCRIPT = '. "$SPARK_HOME/bin/load-spark-env.sh"; exec "$@"';

/** `$0` of the launch script, so the process list says what the bash is. */
export const LAUNCH_SCRIPT_NAME = 'oshinko-launch';

/**
 * Asks the launcher for a daemon's command, as `spark-class` does (same class path, same heap), after the same
 * `load-spark-env.sh`. Fixed text; the class comes as `$1`.
 */
export const LAUNCHER_SCRIPT =
  '. "$SPARK_HOME/bin/load-spark-env.sh"; ' +
  'exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx128m $SPARK_LAUNCHER_OPTS -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@"';

/**
 * JIT settings of the master and worker JVMs: C1 only. They coordinate (RPC, heartbeats, a small web UI) and never
 * run a hot loop long enough for C2 to pay back, while C2's compiler threads compete with every other JVM starting
 * on the machine. Never given to executors: they run the user's compute (the worker starts them with a command of
 * its own, which these options do not reach).
 */
export const DAEMON_JIT_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1'];

/** Options that give a JVM a class-data-sharing archive; a JVM that finds it unfit runs without it. */
export function archiveOptions(file: string): string[] {
  return [`-XX:SharedArchiveFile=${file}`, '-Xshare:auto'];
}

/** Options of the run that writes a class-data-sharing archive when the JVM exits. */
export function archiveAtExitOptions(file: string): string[] {
  return [`-XX:ArchiveClassesAtExit=${file}`];
}

/**
 * The command the launcher printed: whatever comes before a line holding a NUL alone is a message to show, then
 * the arguments separated by NULs (`spark-class` reads it the same way). Throws when there is no command.
 */
export function parseLauncherOutput(output: string): string[] {
  const start = output.indexOf('\0\n');
  if (start < 0)
    throw new Error(`the Spark launcher printed no command: ${JSON.stringify(output.slice(0, 500))}`);
  const args = output.slice(start + 2).split('\0');
  if (args[args.length - 1] === '') args.pop();
  if (args.length < 2) throw new Error(`the Spark launcher printed an empty command`);
  return args;
}

/** A daemon class's command as the launcher printed it: the java binary first, the class last. */
export function checkLaunchCommand(command: readonly string[], daemonClass: string): void {
  if (command[command.length - 1] !== daemonClass || !(command[0] ?? '').endsWith('java')) {
    throw new Error(
      `the Spark launcher's command for ${daemonClass} does not run java with that class: ${JSON.stringify(command)}`,
    );
  }
}

/**
 * The launcher's command with the directories of its class path (the conf dir, which the launcher puts first)
 * moved after the jars: a JVM cannot write a class-data-sharing archive when a non-empty directory comes before a
 * jar it loaded classes from. Only resources are looked up in those directories (log4j2.properties and the like),
 * and Spark's jars hold none of those names, so they are still found; a jar added to the image that holds one too
 * would now come first.
 */
export function directoriesLast(command: readonly string[]): string[] {
  const index = command.indexOf('-cp');
  const classPath = command[index + 1];
  if (index < 0 || classPath === undefined) return [...command];
  const entries = classPath.split(':');
  const isJars = (entry: string) => entry.endsWith('.jar') || entry.endsWith('/*') || entry === '*';
  const reordered = [...entries.filter(isJars), ...entries.filter((entry) => !isJars(entry))].join(':');
  return [...command.slice(0, index + 1), reordered, ...command.slice(index + 2)];
}

/**
 * The arguments of `bash -c LAUNCH_SCRIPT` that start a daemon: the launcher's command with our options right after
 * the java binary, so that everything the launcher put after them (the user's SPARK_DAEMON_JAVA_OPTS, the image's
 * java-opts) comes later and wins, then the daemon's own arguments.
 */
export function launchArgs(
  command: readonly string[],
  ours: readonly string[],
  daemonArgs: readonly string[],
): string[] {
  const [java = 'java', ...rest] = command;
  return ['-c', LAUNCH_SCRIPT, LAUNCH_SCRIPT_NAME, java, ...ours, ...rest, ...daemonArgs];
}

/**
 * The launcher's command with another heap: its `-Xmx`, the last one (the launcher adds SPARK_DAEMON_MEMORY's right
 * before the class, after every option of the user's), becomes `-Xmx<heap>`, as if the launcher had been asked with
 * that SPARK_DAEMON_MEMORY. A command without one gets it right after the java binary.
 */
export function withHeap(command: readonly string[], heap: string): string[] {
  const out = [...command];
  const index = out.findLastIndex((arg) => arg.startsWith('-Xmx'));
  if (index >= 0) out[index] = `-Xmx${heap}`;
  else out.splice(Math.min(1, out.length), 0, `-Xmx${heap}`);
  return out;
}

/** Where an image's daemons read their Spark conf: a built image's own conf dir, else the distribution's. */
export function imageConfDir(image: { kind: string; sparkHome: string; distribution: string }): string {
  return image.kind === 'built' ? join(image.sparkHome, 'conf') : join(image.distribution, 'conf');
}
