import type { Command } from 'commander';
import { formatAge } from '../../client/format-age.js';
import { InvalidInputError } from '../../core/errors.js';
import { runtimeSparkHome } from '../../drivers/local/spark-home.js';
import { LocalImageStore } from '../../drivers/local/image-store.js';
import { imageArchiveStates, LaunchCache, type ArchiveState } from '../../drivers/local/launch-cache.js';
import { HomeLayout } from '../../drivers/local/layout.js';
import { defaultOshinkoHome } from '../../server/serve-config.js';
import { collect, parsePairs } from '../flags.js';
import { renderTable } from '../format.js';
import type { CliIo } from '../io.js';
import { forPrograms, noHeadersOption, outputOption, printForPrograms, type Output } from '../output.js';

interface HomeFlags {
  home?: string | undefined;
}

interface ListFlags extends HomeFlags {
  json?: boolean;
  output: Output;
  headers: boolean;
}

interface BuildFlags extends HomeFlags {
  from: string;
  jar: string[];
  pyFile: string[];
  conf: string[];
  env: string[];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/**
 * The local image store of this machine. Commands act on it directly (no server needed); the Spark runtime is
 * registered as the default image first, as the server does, so `--from spark:<version>` works before any server
 * ran.
 */
async function openStore(
  flags: HomeFlags,
  io: CliIo,
): Promise<{ store: LocalImageStore; layout: HomeLayout; runtimeError?: Error }> {
  const home = flags.home ?? nonEmpty(io.env.OSHINKO_HOME) ?? defaultOshinkoHome(io.env);
  const layout = new HomeLayout(home);
  const store = new LocalImageStore(layout);
  try {
    await store.registerDefault(runtimeSparkHome({ sparkHome: nonEmpty(io.env.SPARK_HOME) }));
    return { store, layout };
  } catch (error) {
    return { store, layout, runtimeError: error as Error };
  }
}

/** The ARCHIVE column: whether the image's daemons start with a class-data-sharing archive. */
const ARCHIVE_COLUMN: Record<ArchiveState | 'unknown', string> = {
  ready: 'yes',
  preparing: 'being made',
  none: 'not yet',
  failed: 'failed',
  unknown: '?',
};

export function registerImage(program: Command, io: CliIo, run: (work: () => Promise<number>) => void): void {
  const image = program
    .command('image')
    .description(
      "Manage the local driver's images on this machine (Spark homes in its image store; no server needed)",
    )
    .addHelpText(
      'after',
      `
Examples:
  oshinko image ls
  oshinko image build team/etl:1 --from spark:4.3.0 --py-file ./libs/etl_utils.py
  oshinko image import vendor/spark:3.5.3 /opt/spark-3.5.3
  oshinko image rm team/etl:1`,
    );
  const homeOption = '--home <dir>';
  const homeHelp = 'oshinko data directory (env OSHINKO_HOME)';

  image
    .command('build <ref>')
    .description(
      'Build an image layered on a base image, with extra jars, Python files, Spark conf and environment',
    )
    .requiredOption('--from <base>', 'the base image (see `oshinko image ls`)')
    .option('--jar <file>', 'a jar for the daemons, drivers and executors (repeatable)', collect, [])
    .option(
      '--py-file <file>',
      'a .py/.zip/.egg file or package directory for Python (repeatable)',
      collect,
      [],
    )
    .option('--conf <key=value>', 'a Spark property for spark-defaults.conf (repeatable)', collect, [])
    .option(
      '--env <key=value>',
      'an environment variable for daemons and executors (repeatable)',
      collect,
      [],
    )
    .option(homeOption, homeHelp)
    .addHelpText(
      'after',
      `
Examples:
  oshinko image build team/etl:1 --from spark:4.3.0 --py-file ./libs/etl_utils.py \\
      --jar ./postgresql.jar --conf spark.sql.shuffle.partitions=8 --env TZ=UTC`,
    )
    .action((ref: string, flags: BuildFlags) => {
      run(async () => {
        const conf = parsePairs(flags.conf, '--conf');
        const env = parsePairs(flags.env, '--env');
        const { store, runtimeError } = await openStore(flags, io);
        if (runtimeError !== undefined && (await store.get(flags.from)) === undefined) throw runtimeError;
        const record = await store.build(ref, {
          from: flags.from,
          jars: flags.jar,
          pyFiles: flags.pyFile,
          conf,
          env,
        });
        io.stdout.write(`built ${record.ref} on ${flags.from}: ${record.sparkHome}\n`);
        return 0;
      });
    });

  image
    .command('import <ref> <dir>')
    .description(
      'Register an existing Spark home (a directory with bin/spark-class) as an image; it is not copied',
    )
    .option(homeOption, homeHelp)
    .addHelpText(
      'after',
      `
Examples:
  oshinko image import vendor/spark:3.5.3 /opt/spark-3.5.3
  oshinko image import spark:4.0.1 ~/spark-4.0.1-bin-hadoop3 --home /srv/oshinko`,
    )
    .action((ref: string, dir: string, flags: HomeFlags) => {
      run(async () => {
        const { store } = await openStore(flags, io);
        const record = await store.importImage(ref, dir);
        io.stdout.write(
          `imported ${record.ref}: ${record.sparkHome} (Spark ${record.sparkVersion ?? 'unknown'})\n`,
        );
        return 0;
      });
    });

  image
    .command('ls')
    .description('List local images')
    .addOption(outputOption(['table', 'wide', 'json', 'yaml', 'name', 'jsonpath']))
    .option('--json', 'the same as -o json')
    .addOption(noHeadersOption())
    .option(homeOption, homeHelp)
    .addHelpText(
      'after',
      `
-o wide adds AGE, JARS and PY FILES; -o name prints image/REF; -o json prints {"images": [...]}, which
-o jsonpath walks.

Examples:
  oshinko image ls
  oshinko image ls -o wide --home ~/.oshinko
  oshinko image ls -o jsonpath='{.images[*].ref}'`,
    )
    .action((flags: ListFlags, command: Command) => {
      run(async () => {
        if (
          flags.json === true &&
          command.getOptionValueSource('output') === 'cli' &&
          flags.output.kind !== 'json'
        ) {
          throw new InvalidInputError('give --json or -o, not both: --json is -o json', { field: '--json' });
        }
        const output: Output = flags.json === true ? { kind: 'json' } : flags.output;
        const { store, layout, runtimeError } = await openStore(flags, io);
        const images = await store.toLocalImages();
        const archives = await imageArchiveStates(
          new LaunchCache(layout.launchCache, { makeArchives: false }),
          await store.list(),
          io.env,
        );
        const archiveOf = (ref: string) => archives.get(ref) ?? 'unknown';
        if (forPrograms(output)) {
          const listed = images.map((i) => ({ ...i, classDataArchive: archiveOf(i.ref) }));
          io.stdout.write(
            printForPrograms(output, {
              value: { images: listed },
              names: images.map((i) => `image/${i.ref}`),
            }),
          );
          return 0;
        }
        const wide = output.kind === 'wide';
        const now = Date.now();
        io.stdout.write(
          renderTable(
            [
              'REF',
              'BASE',
              'SPARK',
              'USED BY',
              'ARCHIVE',
              ...(wide ? ['AGE', 'JARS', 'PY FILES'] : []),
              'SPARK HOME',
            ],
            images.map((i) => [
              `${i.ref}${i.isDefault ? ' (default)' : ''}`,
              i.base ?? '-',
              i.sparkVersion ?? '?',
              i.usedBy.length > 0 ? i.usedBy.join(',') : '-',
              ARCHIVE_COLUMN[archiveOf(i.ref)],
              ...(wide ? [formatAge(i.createdAt, now), String(i.jars.length), String(i.pyFiles.length)] : []),
              i.sparkHome,
            ]),
            { headers: flags.headers },
          ),
        );
        if (runtimeError !== undefined) io.stderr.write(`warning: ${runtimeError.message}\n`);
        return 0;
      });
    });

  image
    .command('rm <ref>')
    .description('Remove a local image (refused while a cluster uses it)')
    .option(homeOption, homeHelp)
    .addHelpText(
      'after',
      `
Examples:
  oshinko image rm team/etl:1
  oshinko image rm vendor/spark:3.5.3 --home /srv/oshinko`,
    )
    .action((ref: string, flags: HomeFlags) => {
      run(async () => {
        const { store } = await openStore(flags, io);
        await store.remove(ref);
        io.stdout.write(`removed ${ref}\n`);
        return 0;
      });
    });
}
