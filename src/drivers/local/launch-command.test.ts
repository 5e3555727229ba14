import { describe, expect, it } from 'vitest';
import {
  checkLaunchCommand,
  directoriesLast,
  imageConfDir,
  launchArgs,
  LAUNCH_SCRIPT,
  parseLauncherOutput,
  withHeap,
} from './launch-command.js';

const MASTER = 'org.apache.spark.deploy.master.Master';

describe('parseLauncherOutput', () => {
  it('reads the NUL-separated command after the NUL line, as spark-class does', () => {
    const output = `\0\n/jdk/bin/java\0-cp\0/spark/jars/*\0-Xmx256m\0${MASTER}\0`;
    expect(parseLauncherOutput(output)).toEqual([
      '/jdk/bin/java',
      '-cp',
      '/spark/jars/*',
      '-Xmx256m',
      MASTER,
    ]);
  });

  it('skips the messages the launcher prints before the command, and keeps arguments with spaces', () => {
    const output = `a warning\n\0\n/jdk/bin/java\0-Dname=a b\0${MASTER}\0`;
    expect(parseLauncherOutput(output)).toEqual(['/jdk/bin/java', '-Dname=a b', MASTER]);
  });

  it('refuses an output with no command, quoting it', () => {
    expect(() => parseLauncherOutput('Error: no Java')).toThrow(/printed no command: "Error: no Java"/);
    expect(() => parseLauncherOutput('\0\n\0')).toThrow(/empty command/);
  });
});

describe('checkLaunchCommand', () => {
  it('accepts java with the class last, and names what it refuses', () => {
    expect(() => {
      checkLaunchCommand(['/jdk/bin/java', '-cp', 'x', MASTER], MASTER);
    }).not.toThrow();
    expect(() => {
      checkLaunchCommand(['/jdk/bin/java', '-cp', 'x', 'Other'], MASTER);
    }).toThrow(/\["\/jdk\/bin\/java"/);
    expect(() => {
      checkLaunchCommand(['/bin/sh', MASTER], MASTER);
    }).toThrow(/does not run java/);
  });
});

describe('directoriesLast', () => {
  it('moves the class path directories after the jars, keeping their orders', () => {
    const command = [
      '/jdk/bin/java',
      '-cp',
      '/img/conf:/spark/jars/a.jar:/spark/jars/*:/hadoop/conf:/x/b.jar',
      '-Xmx1g',
      MASTER,
    ];
    expect(directoriesLast(command)).toEqual([
      '/jdk/bin/java',
      '-cp',
      '/spark/jars/a.jar:/spark/jars/*:/x/b.jar:/img/conf:/hadoop/conf',
      '-Xmx1g',
      MASTER,
    ]);
  });

  it('leaves a command without a class path as it is', () => {
    expect(directoriesLast(['/jdk/bin/java', MASTER])).toEqual(['/jdk/bin/java', MASTER]);
  });
});

describe('launchArgs', () => {
  it('puts our options between java and the launcher options, and the daemon arguments last', () => {
    expect(
      launchArgs(
        ['/jdk/bin/java', '-cp', 'cp', '-XX:TieredStopAtLevel=4', MASTER],
        ['-XX:TieredStopAtLevel=1'],
        ['--port', '1'],
      ),
    ).toEqual([
      '-c',
      LAUNCH_SCRIPT,
      'oshinko-launch',
      '/jdk/bin/java',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      'cp',
      // A user's option (from SPARK_DAEMON_JAVA_OPTS) comes after ours: the JVM takes the last one.
      '-XX:TieredStopAtLevel=4',
      MASTER,
      '--port',
      '1',
    ]);
  });

  it("runs Spark's load-spark-env.sh and execs its arguments, with no user text in the script", () => {
    expect(LAUNCH_SCRIPT).toBe('. "$SPARK_HOME/bin/load-spark-env.sh"; exec "$@"');
  });
});

describe('imageConfDir', () => {
  it("is a built image's own conf dir, else the distribution's", () => {
    expect(imageConfDir({ kind: 'built', sparkHome: '/img', distribution: '/spark' })).toBe('/img/conf');
    expect(imageConfDir({ kind: 'imported', sparkHome: '/spark', distribution: '/spark' })).toBe(
      '/spark/conf',
    );
  });
});

describe('withHeap', () => {
  it("replaces the launcher's heap, the last -Xmx, and adds one to a command without", () => {
    expect(withHeap(['java', '-Xmx1g', '-cp', 'x', '-Xmx256m', 'Master'], '768m')).toEqual([
      'java',
      '-Xmx1g',
      '-cp',
      'x',
      '-Xmx768m',
      'Master',
    ]);
    expect(withHeap(['java', '-cp', 'x', 'Master'], '768m')).toEqual([
      'java',
      '-Xmx768m',
      '-cp',
      'x',
      'Master',
    ]);
  });
});
