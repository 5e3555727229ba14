import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { COMPLETE_COMMAND, complete, registerCompletion } from './commands/completion.js';
import { registerCreate } from './commands/create.js';
import { registerDelete } from './commands/delete.js';
import { registerGet } from './commands/get.js';
import { registerImage } from './commands/image.js';
import { registerLogs } from './commands/logs.js';
import { registerScale } from './commands/scale.js';
import { registerServe } from './commands/serve.js';
import { registerSubmit } from './commands/submit.js';
import { registerVersion } from './commands/version.js';
import { addConnectionOptions } from './connection.js';
import { EXIT, reportError, type CliIo, type Schedule } from './io.js';

/** The command tree; `schedule` receives the work of the command that the arguments select. */
export function buildProgram(io: CliIo, schedule: Schedule): Command {
  const program = new Command('oshinko')
    .description('Deploy and manage Apache Spark clusters, each with its own image')
    .version(VERSION, '--client-version', 'print the client version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)');
  addConnectionOptions(program);
  program.addHelpText(
    'after',
    `
Examples:
  oshinko create spark1 --workers 2 --wait
  oshinko get
  oshinko --server https://oshinko.apps.example.com --token "$TOKEN" get spark1
  oshinko scale spark1 --workers 4
  oshinko delete spark1`,
  );
  registerCreate(program, io, schedule);
  registerGet(program, io, schedule);
  registerScale(program, io, schedule);
  registerDelete(program, io, schedule);
  registerLogs(program, io, schedule);
  registerSubmit(program, io, schedule);
  registerVersion(program, io, schedule);
  registerImage(program, io, schedule);
  registerCompletion(program, io, schedule);
  registerServe(program, io, schedule);
  return program;
}

/** Runs the CLI and returns the exit code; only bin/ calls process.exit. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(io, (work) => {
    pending = work();
  });
  if (argv[0] === COMPLETE_COMMAND) {
    const candidates = await complete(program, argv.slice(1), io);
    io.stdout.write(candidates.map((candidate) => `${candidate}\n`).join(''));
    return EXIT.ok;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(io, error);
  }
  if (pending === undefined) return EXIT.ok;
  try {
    return await pending;
  } catch (error) {
    return reportError(io, error);
  }
}
