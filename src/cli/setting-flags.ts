/**
 * The flags of `oshinko create` that set a cluster's settings, made from the settings table (src/core/cluster-settings.ts):
 * each row's flags with their help, and the request field read back from them, checked by the row's parser (or, for
 * the forms people type several of, by the parser of that form), naming the flag as the user spelled it.
 */
import { Option, type Command } from 'commander';
import {
  SETTINGS,
  wireValue,
  type AnySetting,
  type CliFlag,
  type CliForm,
} from '../core/cluster-settings.js';
import { InvalidInputError } from '../core/errors.js';
import {
  collect,
  parseEnvFlags,
  parseKeyValueFlags,
  parsePullSecretFlags,
  parseRoleResources,
  parseTolerationFlags,
  PAIR_FLAGS,
} from './flags.js';

/** The largest worker count the CLI sends; the server applies its own, usually lower, limit. */
export const MAX_WORKERS_FLAG = 10_000;

/** Commander's name of a flag's value: `--image-pull-policy` is `imagePullPolicy`. */
function attribute(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** Adds the flags of every setting that has some, in the table's order. */
export function addSettingFlags(command: Command): Command {
  for (const row of SETTINGS) {
    for (const flag of row.cli?.flags ?? []) {
      const option = new Option(
        `${flag.flag} ${flag.arg}`,
        flag.sameAs === undefined ? flag.help : `the same as ${flag.sameAs}`,
      );
      if (flag.choices !== undefined) option.choices(flag.choices);
      if (flag.repeatable === true) option.argParser(collect).default([]);
      command.addOption(option);
    }
  }
  return command;
}

type Flags = Readonly<Record<string, unknown>>;

/** The value of a flag under either of its spellings, with the flag as the user spelled it; both is an error. */
function spelled(
  flags: Flags,
  row: AnySetting,
  primary: CliFlag,
): { value: string; flag: string } | undefined {
  const spellings = (row.cli?.flags ?? []).filter((flag) => flag === primary || flag.sameAs === primary.flag);
  const given = spellings.filter((flag) => flags[attribute(flag.flag)] !== undefined);
  if (given.length > 1) {
    const [first, second] = given.map((flag) => flag.flag);
    throw new InvalidInputError(`give ${first ?? ''} or ${second ?? ''}, not both: they are one flag`, {
      field: second,
    });
  }
  const [flag] = given;
  return flag === undefined ? undefined : { value: String(flags[attribute(flag.flag)]), flag: flag.flag };
}

const list = (flags: Flags, flag: CliFlag | undefined): string[] =>
  flag === undefined ? [] : ((flags[attribute(flag.flag)] as string[] | undefined) ?? []);

/** The request field of one row from its flags, or undefined when none of them was given. */
const FORMS: Record<CliForm, (row: AnySetting, flags: Flags) => unknown> = {
  value: (row, flags) => {
    const [primary] = row.cli?.flags ?? [];
    const given = primary === undefined ? undefined : spelled(flags, row, primary);
    if (given === undefined) return undefined;
    return wireValue(row, row.parse(given.value, given.flag, { maxWorkers: MAX_WORKERS_FLAG }));
  },
  resources: (row, flags) => {
    const [cpu, memory] = row.cli?.flags ?? [];
    const role = row.key === 'masterResources' ? 'master' : 'worker';
    const value = (flag: CliFlag | undefined) =>
      flag === undefined ? undefined : (flags[attribute(flag.flag)] as string | undefined);
    return parseRoleResources(role, value(cpu), value(memory));
  },
  pairs: (row, flags) =>
    parseKeyValueFlags(list(flags, row.cli?.flags[0]), row.key as keyof typeof PAIR_FLAGS),
  tolerations: (row, flags) => parseTolerationFlags(list(flags, row.cli?.flags[0])),
  env: (row, flags) => parseEnvFlags(list(flags, row.cli?.flags[0]), list(flags, row.cli?.flags[1])),
  'pull-secrets': (row, flags) => parsePullSecretFlags(list(flags, row.cli?.flags[0])),
};

/** The settings among the flags, under the request's field names; unset flags are left to the server. */
export function settingsFromFlags(flags: Flags): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const row of SETTINGS) {
    if (row.cli === undefined) continue;
    const value = FORMS[row.cli.form](row, flags);
    if (value !== undefined) config[row.key] = value;
  }
  return config;
}
