import { Writable } from 'node:stream';
import { Argument, Help, type Command, type Option } from 'commander';
import { connect, type ConnectionFlags } from '../connection.js';
import type { CliIo, Schedule } from '../io.js';

/**
 * Shell completion, done the way cobra-based tools do it: the shell script is a thin wrapper that asks
 * `oshinko __complete WORDS...` for candidates, so completions follow the command tree defined here (and can
 * offer the cluster names that the server knows) without a second copy of it in shell.
 */
export const COMPLETE_COMMAND = '__complete';

const BASH = `# bash completion for oshinko; load it with: source <(oshinko completion bash)
_oshinko_complete() {
  local IFS=$'\\n'
  local -a words
  words=("\${COMP_WORDS[@]:1:COMP_CWORD}")
  COMPREPLY=($(oshinko ${COMPLETE_COMMAND} "\${words[@]}" 2>/dev/null))
}
complete -F _oshinko_complete oshinko
`;

const ZSH = `#compdef oshinko
# zsh completion for oshinko; load it with: source <(oshinko completion zsh)  (after compinit)
# or save it as _oshinko in a directory of $fpath.
_oshinko() {
  local -a candidates
  candidates=(\${(f)"$(oshinko ${COMPLETE_COMMAND} "\${(@)words[2,CURRENT]}" 2>/dev/null)"})
  (( \${#candidates} )) && compadd -- "\${candidates[@]}"
}
if [ "$funcstack[1]" = "_oshinko" ]; then
  _oshinko "$@"
else
  compdef _oshinko oshinko
fi
`;

// The current token is quoted so that an empty one is still passed (fish drops an empty list otherwise).
const FISH = `# fish completion for oshinko; load it with: oshinko completion fish | source
# or save it as ~/.config/fish/completions/oshinko.fish
function __oshinko_complete
    set -l words (commandline -opc)
    set -e words[1]
    oshinko ${COMPLETE_COMMAND} $words (commandline -ct | string collect) 2>/dev/null
end
complete -c oshinko -f -a '(__oshinko_complete)'
`;

export const COMPLETION_SCRIPTS = { bash: BASH, zsh: ZSH, fish: FISH } as const;
export type Shell = keyof typeof COMPLETION_SCRIPTS;

const help = new Help();
help.showGlobalOptions = true;

function optionsOf(command: Command): Option[] {
  const own = help.visibleOptions(command);
  return command.parent === null ? own : [...own, ...help.visibleGlobalOptions(command)];
}

/** Visible subcommands, without commander's implicit `help` command. */
function subcommands(command: Command): Command[] {
  return command.commands.length === 0
    ? []
    : help.visibleCommands(command).filter((c) => c.name() !== 'help');
}

function findOption(command: Command, word: string): Option | undefined {
  return optionsOf(command).find((option) => option.long === word || option.short === word);
}

/** The connection flags a completion passes on, by commander's attribute name (`--token-file` -> tokenFile). */
const CONNECTION_FLAGS = new Set([
  'server',
  'token',
  'tokenFile',
  'certificateAuthority',
  'insecureSkipTlsVerify',
]);

/** An io whose warnings go nowhere: a completion prints candidates and nothing else. */
function quiet(io: CliIo): CliIo {
  return {
    ...io,
    stderr: new Writable({
      write: (_chunk, _encoding, done) => {
        done();
      },
    }),
  };
}

/** Candidates for the last word, given the words typed after `oshinko` (the last one possibly empty). */
export async function complete(program: Command, words: readonly string[], io: CliIo): Promise<string[]> {
  const current = words.at(-1) ?? '';
  let command = program;
  const positionals: string[] = [];
  let pendingOption: Option | undefined;
  const connection: Record<string, string | boolean> = {};
  for (const word of words.slice(0, -1)) {
    if (pendingOption !== undefined) {
      if (CONNECTION_FLAGS.has(pendingOption.attributeName()))
        connection[pendingOption.attributeName()] = word;
      pendingOption = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      const [flag = word, value] = word.split('=', 2);
      const option = findOption(command, flag);
      if (option === undefined) continue;
      if (option.required || option.optional) {
        if (value === undefined) pendingOption = option;
        else if (CONNECTION_FLAGS.has(option.attributeName())) connection[option.attributeName()] = value;
      } else if (CONNECTION_FLAGS.has(option.attributeName())) {
        connection[option.attributeName()] = true;
      }
      continue;
    }
    const sub = positionals.length === 0 ? subcommands(command).find((c) => c.name() === word) : undefined;
    if (sub !== undefined) command = sub;
    else positionals.push(word);
  }

  const matching = (candidates: readonly string[]) => candidates.filter((c) => c.startsWith(current));
  if (pendingOption !== undefined) return matching(pendingOption.argChoices ?? []);
  if (current.startsWith('-')) {
    return matching(optionsOf(command).flatMap((option) => (option.long === undefined ? [] : [option.long])));
  }
  if (positionals.length === 0 && subcommands(command).length > 0) {
    return matching(subcommands(command).map((c) => c.name()));
  }
  const registered = command.registeredArguments;
  const last = registered.at(-1);
  const argument =
    registered[positionals.length] ?? (last?.variadic === true && last.name() === 'name' ? last : undefined);
  if (argument === undefined) return [];
  if (argument.argChoices !== undefined) return matching(argument.argChoices);
  if (argument.name() !== 'name' && argument.name() !== 'pod') return [];
  try {
    const text = (key: string) => (typeof connection[key] === 'string' ? connection[key] : undefined);
    const flags: ConnectionFlags = {
      server: text('server'),
      token: text('token'),
      tokenFile: text('tokenFile'),
      certificateAuthority: text('certificateAuthority'),
      insecureSkipTlsVerify: connection.insecureSkipTlsVerify === true,
    };
    const { client } = connect(flags, quiet(io), { timeoutMs: 3000 });
    if (argument.name() === 'pod') {
      const cluster = positionals[0];
      if (cluster === undefined) return [];
      return matching((await client.getCluster(cluster)).pods.map((pod) => pod.name));
    }
    const given = new Set(argument.variadic ? positionals : []);
    return matching(
      (await client.listClusters()).map((cluster) => cluster.name).filter((name) => !given.has(name)),
    );
  } catch {
    return [];
  }
}

export function registerCompletion(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('completion')
    .description('Print a shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(Object.keys(COMPLETION_SCRIPTS)))
    .addHelpText(
      'after',
      `
Completes commands, flags, flag values and the names of the server's clusters.

Examples:
  source <(oshinko completion bash)                        # this shell only
  oshinko completion bash > /etc/bash_completion.d/oshinko
  oshinko completion zsh > "\${fpath[1]}/_oshinko"          # zsh, then restart it
  oshinko completion fish | source                          # fish, this shell
  oshinko completion fish > ~/.config/fish/completions/oshinko.fish`,
    )
    .action((shell: Shell) => {
      run(() => {
        io.stdout.write(COMPLETION_SCRIPTS[shell]);
        return Promise.resolve(0);
      });
    });
}
