import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerImage } from './commands/image.js';
import { registerServe } from './commands/serve.js';
import { EXIT, reportError, type CliIo } from './io.js';

/** Runs the CLI and returns the exit code; only bin/ calls process.exit. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let pending: Promise<number> | undefined;
  const schedule = (work: () => Promise<number>) => {
    pending = work();
  };
  const program = new Command('oshinko')
    .description('Deploy and manage Apache Spark clusters, each with its own image')
    .version(VERSION, '--client-version', 'print the client version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)');
  registerServe(program, io, schedule);
  registerImage(program, io, schedule);
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
