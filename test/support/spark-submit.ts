import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface SubmitOptions {
  /** The Spark home whose bin/spark-submit runs the application. */
  readonly sparkHome: string;
  readonly masterUrl: string;
  /** The address the driver binds to and advertises: where the executors reach it. */
  readonly driverHost: string;
  /** The application (a .py file). */
  readonly app: string;
  readonly cwd: string;
  /** The application prints its result as one line `<marker> <json>`. */
  readonly marker: string;
  readonly timeoutMs?: number;
}

/**
 * Runs a PySpark application in client mode with spark-submit and returns the JSON it printed after `marker`. The
 * environment is the test's without Spark's variables, so only the given Spark home and the cluster matter.
 */
export async function submitForResult<T>(options: SubmitOptions): Promise<T> {
  const env: Record<string, string | undefined> = { ...process.env, SPARK_LOCAL_IP: options.driverHost };
  delete env.SPARK_HOME;
  delete env.SPARK_CONF_DIR;
  delete env.PYTHONPATH;
  const { code, stdout, stderr } = await runSparkSubmit(
    options.sparkHome,
    [...clientModeArgs(options.masterUrl, options.driverHost), options.app],
    // A stuck application must not outlive the test.
    { cwd: options.cwd, env, timeoutMs: options.timeoutMs ?? 300_000 },
  );
  const prefix = `${options.marker} `;
  const line = stdout.split('\n').find((l) => l.startsWith(prefix));
  if (code !== 0 || line === undefined) {
    throw new Error(
      `spark-submit exited with ${code}; stdout: ${stdout}\nstderr tail: ${stderr.slice(-4000)}`,
    );
  }
  return JSON.parse(line.slice(prefix.length)) as T;
}

/** The options of a client-mode driver for a small test cluster: where executors reach it, small memory, no UI. */
export function clientModeArgs(masterUrl: string, driverHost: string): string[] {
  return [
    '--master',
    masterUrl,
    '--conf',
    `spark.driver.host=${driverHost}`,
    '--conf',
    'spark.driver.memory=512m',
    '--conf',
    'spark.executor.memory=512m',
    '--conf',
    'spark.ui.enabled=false',
  ];
}

/** Runs the Spark home's spark-submit to its end (killed after `timeoutMs`); its exit code and output. */
export async function runSparkSubmit(
  sparkHome: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(join(sparkHome, 'bin', 'spark-submit'), [...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
