/**
 * The check of a cluster's image: an init container of the master pod, in the cluster's image, that runs our own
 * script (its command, so the image's entrypoint does not matter) and writes what it found to its termination
 * message. The kubelet puts that message in the pod's status, so reading the result costs no request of its own.
 * Pure: the container to render, and the pod status read back.
 */
import type * as k8s from '@kubernetes/client-node';
import type { ImageCheck } from '../../core/cluster.js';
import { parsePythonVersion, parseSparkBanner } from '../../core/image-versions.js';
import type { Plain, V1Container } from './kube-types.js';
import { IMAGE_CHECK_CONTAINER, SPARK_HOME } from './labels.js';

type V1Pod = Plain<k8s.V1Pod>;
type V1ContainerStateTerminated = Plain<k8s.V1ContainerStateTerminated>;

/** Where the kubelet reads a container's termination message from (the Kubernetes default, named here). */
export const TERMINATION_LOG = '/dev/termination-log';

/** The last line of a complete report; a report without it was cut short or is not ours. */
export const REPORT_END = 'oshinko-image-check 1 end';

/** What the daemons are started with (see the renderer): the check tries the very same file. */
const SPARK_CLASS = `${SPARK_HOME}/bin/spark-class`;

/**
 * The check as a POSIX shell script; the paths are constants of ours (arguments for its tests), nothing of the
 * request is in it. The output of `spark-submit --version` comes first and the facts last, because the kubelet
 * keeps the last 4 KiB of a termination message. Each line of output is prefixed with `| ` so that it cannot pass
 * for a fact.
 */
export function imageCheckScript(sparkHome: string, report: string): string {
  return [
    `R=${report}`,
    `H=${sparkHome}`,
    `C=${sparkHome}/bin/spark-class`,
    'fact() { printf "%s\\n" "$1" >> "$R"; }',
    'quote() { printf "%s\\n" "$1" | while IFS= read -r line; do printf "| %s\\n" "$line"; done >> "$R"; }',
    ': > "$R"',
    `end() { fact "${REPORT_END}"; exit "$1"; }`,
    'if [ ! -d "$H" ]; then fact "missing $H"; end 1; fi',
    'if [ ! -e "$C" ]; then fact "missing $C"; end 1; fi',
    'if [ ! -x "$C" ]; then fact "not-executable $C"; end 1; fi',
    'out=$("$C" org.apache.spark.deploy.SparkSubmit --version 2>&1); rc=$?',
    'quote "$out"',
    'fact "spark-class $C"',
    'fact "spark-class-exit $rc"',
    'if command -v python3 >/dev/null 2>&1; then fact "python $(python3 --version 2>&1)"; else fact "python-missing"; fi',
    'if [ "$rc" -ne 0 ]; then end 1; fi',
    'end 0',
  ].join('\n');
}

export const IMAGE_CHECK_SCRIPT = imageCheckScript(SPARK_HOME, TERMINATION_LOG);

/** The init container of the master pod: the cluster's image, our command. */
export function imageCheckContainer(image: string): V1Container {
  return {
    name: IMAGE_CHECK_CONTAINER,
    image,
    command: ['/bin/sh', '-c', IMAGE_CHECK_SCRIPT],
    terminationMessagePath: TERMINATION_LOG,
    terminationMessagePolicy: 'File',
  };
}

/** The last lines of what a tool printed, for a message: blank lines dropped, each trimmed, at most `max`. */
export function lastLines(lines: readonly string[], max: number): string {
  return lines
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-max)
    .join(' | ')
    .slice(0, 400);
}

/** The report of the script above; undefined when it is not a complete one. */
export function parseImageCheckReport(text: string): ImageCheck | undefined {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[lines.length - 1] !== REPORT_END) return undefined;
  const output = lines.filter((line) => line.startsWith('| ')).map((line) => line.slice(2));
  const facts = new Map<string, string>();
  for (const line of lines) {
    if (line.startsWith('| ')) continue;
    const space = line.indexOf(' ');
    facts.set(space < 0 ? line : line.slice(0, space), space < 0 ? '' : line.slice(space + 1));
  }
  const missing = facts.get('missing');
  if (missing !== undefined) return { result: 'failed', problem: `has no ${missing}` };
  const notExecutable = facts.get('not-executable');
  if (notExecutable !== undefined)
    return { result: 'failed', problem: `has ${notExecutable}, but it is not executable` };
  const exit = facts.get('spark-class-exit');
  if (exit === undefined) return undefined;
  if (exit !== '0') {
    const said = lastLines(output, 3);
    return {
      result: 'failed',
      problem: `cannot run ${facts.get('spark-class') ?? SPARK_CLASS} (exit code ${exit})${said === '' ? '' : `: ${said}`}`,
    };
  }
  const python = parsePythonVersion(facts.get('python') ?? '');
  return {
    result: 'passed',
    versions: { ...parseSparkBanner(output), ...(python === undefined ? {} : { python }) },
  };
}

/** A run of the check that ended: its report, or what the kubelet says when there is none. */
function checkOfRun(run: V1ContainerStateTerminated): ImageCheck {
  const report = parseImageCheckReport(run.message ?? '');
  if (report !== undefined) return report;
  const message = run.message?.trim() ?? '';
  // The runtime could not start our command: an image without a shell says "exec: "/bin/sh": stat /bin/sh: ...".
  const noFile = /exec: "([^"]+)": stat [^:]+: no such file or directory/.exec(message);
  if (noFile !== null) {
    return { result: 'failed', problem: `has no ${noFile[1] ?? '/bin/sh'} (the image check runs it)` };
  }
  const how = `${run.reason ?? 'Terminated'}, exit code ${String(run.exitCode)}`;
  return {
    result: 'failed',
    problem: `failed its image check (${how})${message === '' ? '' : `: ${message.slice(0, 400)}`}`,
  };
}

/**
 * The check's result from the master pod's status: the init container's last ended run. Undefined while it has
 * not ended (its image is pulled, it runs), and for pods without the check (made before it existed).
 */
export function imageCheckOf(pod: V1Pod): ImageCheck | undefined {
  const status = pod.status?.initContainerStatuses?.find((s) => s.name === IMAGE_CHECK_CONTAINER);
  if (status === undefined) return undefined;
  const ended = status.state?.terminated ?? status.lastState?.terminated;
  return ended === undefined ? undefined : checkOfRun(ended);
}
