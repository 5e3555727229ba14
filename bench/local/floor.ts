/**
 * The floor under a daemon's start, measured after the driver has made its archive: a JVM that prints its version
 * and exits (without class-data sharing, with the JDK's archive, with the master's application archive), and one
 * master alone to ALIVE, started four ways, interleaved.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { send } from '../lib/load.js';
import { fixed, summarize, table } from '../lib/stats.js';
import { agent, baseEnv, freePort, row, sleep, sparkHome, stopGroup, TIMEOUT_MS, work } from './setup.js';

/** Wall time of `java <args> -version`, a JVM that starts, prints and exits. */
function javaVersionMs(args: readonly string[]): number {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const began = performance.now();
  const result = spawnSync(java, [...args, '-version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`java ${args.join(' ')} -version failed: ${result.stderr}`);
  return performance.now() - began;
}

/** Whether the master on `webPort` says ALIVE (its web UI answers an HTML page until the JSON one is up). */
async function masterAlive(webPort: number): Promise<boolean> {
  try {
    const answer = await send(agent, `http://127.0.0.1:${String(webPort)}/json/`, 'GET');
    return (JSON.parse(answer.body) as { status?: string }).status === 'ALIVE';
  } catch {
    return false;
  }
}

type MasterWay = 'spark-class' | 'kept' | 'kept+archive' | 'kept+archive+C1';

/**
 * One master alone, from its start to `ALIVE` in its /json/ (polled every 20 ms), started one of four ways: plain
 * spark-class, or the kept launch (no launcher JVM) with nothing more, with the archive, with the archive and C1.
 */
async function masterAlone(way: MasterWay, command: readonly string[], archive: string): Promise<number> {
  const dir = mkdtempSync(join(work(), 'master-'));
  const [rpc, web] = [await freePort(), await freePort()];
  const args = ['--host', '127.0.0.1', '--port', String(rpc), '--webui-port', String(web)];
  const env = {
    ...baseEnv,
    SPARK_HOME: sparkHome,
    SPARK_LOCAL_IP: '127.0.0.1',
    SPARK_PUBLIC_DNS: '127.0.0.1',
    SPARK_DAEMON_MEMORY: '256m',
    SPARK_MASTER_OPTS: '-Dspark.master.rest.enabled=false',
  };
  const ours =
    way === 'kept'
      ? []
      : way === 'kept+archive'
        ? [`-XX:SharedArchiveFile=${archive}`]
        : [`-XX:SharedArchiveFile=${archive}`, '-XX:TieredStopAtLevel=1'];
  const [java = 'java', ...rest] = command;
  const began = performance.now();
  const child =
    way === 'spark-class'
      ? spawn(join(sparkHome, 'bin', 'spark-class'), ['org.apache.spark.deploy.master.Master', ...args], {
          detached: true,
          stdio: 'ignore',
          env,
          cwd: dir,
        })
      : spawn(
          'bash',
          [
            '-c',
            '. "$SPARK_HOME/bin/load-spark-env.sh"; exec "$@"',
            'bench',
            java,
            ...ours,
            ...rest,
            ...args,
          ],
          {
            detached: true,
            stdio: 'ignore',
            env,
            cwd: dir,
          },
        );
  try {
    const deadline = performance.now() + TIMEOUT_MS;
    for (;;) {
      if (await masterAlive(web)) break;
      if (performance.now() > deadline) throw new Error(`the ${way} master did not come up`);
      await sleep(20);
    }
    return performance.now() - began;
  } finally {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both floors, printed; `home` is the server's data directory, where the kept launch and its archive are. */
export async function measureFloor(home: string, floorRepeats: number): Promise<void> {
  const launchDir = join(home, 'cache', 'launch');
  const kept = spawnSync('ls', [launchDir], { encoding: 'utf8' })
    .stdout.split('\n')
    .find((d) => d !== '');
  const masterArchive = join(launchDir, kept ?? '', 'master.jsa');
  const profile = JSON.parse(readFileSync(join(launchDir, kept ?? '', 'launch.json'), 'utf8')) as {
    commands: { master: string[] };
  };
  const classPath = profile.commands.master[profile.commands.master.indexOf('-cp') + 1] ?? '';
  const floors = { off: [] as number[], jdk: [] as number[], app: [] as number[] };
  for (let i = 0; i < floorRepeats; i++) {
    floors.off.push(javaVersionMs(['-Xshare:off']));
    floors.jdk.push(javaVersionMs([]));
    floors.app.push(javaVersionMs([`-XX:SharedArchiveFile=${masterArchive}`, '-cp', classPath]));
  }
  console.log('\n## The floor: a JVM that prints its version and exits, interleaved\n');
  console.log(
    table(
      ['java -version', 'n', 'median', 'min', 'max', ''],
      [
        row('no class-data sharing (-Xshare:off)', summarize(floors.off)),
        row("the JDK's own archive (the default)", summarize(floors.jdk)),
        row("the master's application archive", summarize(floors.app)),
      ],
    ),
  );

  // A master alone, four ways, interleaved: where a daemon's start goes.
  const ways: MasterWay[] = ['spark-class', 'kept', 'kept+archive', 'kept+archive+C1'];
  const alone = new Map<MasterWay, number[]>(ways.map((way) => [way, []]));
  for (let i = 0; i < floorRepeats; i++) {
    for (const way of i % 2 === 0 ? ways : [...ways].reverse()) {
      alone.get(way)?.push(await masterAlone(way, profile.commands.master, masterArchive));
    }
  }
  const plain = summarize(alone.get('spark-class') ?? []);
  console.log('\n## One master alone, to ALIVE in its /json/ (polled every 20 ms), interleaved (s)\n');
  console.log(
    table(
      ['started with', 'n', 'median', 'min', 'max', '/ spark-class (medians)'],
      ways.map((way) => {
        const s = summarize(alone.get(way) ?? []);
        return row(
          way === 'spark-class'
            ? 'spark-class (launcher JVM, then the master)'
            : way === 'kept'
              ? 'the kept command (no launcher JVM)'
              : way === 'kept+archive'
                ? 'kept command + application archive'
                : 'kept command + archive + C1 only (what the driver runs)',
          s,
          way === 'spark-class' ? '' : fixed(s.median / plain.median, 2),
        );
      }),
    ),
  );
}
