/**
 * The pod settings of a cluster's `config` as people type and read them: `KEY=VALUE` for node selectors, labels and
 * annotations, `NAME=VALUE` and `NAME=SECRET:KEY` for the environment, quantities for CPU and memory. The CLI's flags
 * and the console's fields share these forms, and each entry is checked by the server's own parsers (src/core), so
 * both refuse what the server would, in its words, before a request. Pure.
 */
import { InvalidInputError } from '../core/errors.js';
import { parsePodSettings, type EnvVar } from '../core/pod-settings.js';
import { parseResources, type Resources } from '../core/resources.js';

/** One entry (a flag's value, a line of a field) that is wrong, and why. */
export interface EntryProblem {
  readonly ok: false;
  /** Which list it is in, for checks that span two (a variable in both `env` and `envFromSecret`). */
  readonly list: EntryList;
  /** Its position in that list, from 0. */
  readonly index: number;
  readonly entry: string;
  readonly problem: string;
}
export type EntryList = 'nodeSelector' | 'labels' | 'annotations' | 'env' | 'envFromSecret';
export type Entries<T> = { readonly ok: true; readonly value: T | undefined } | EntryProblem;

/**
 * What a core parser found wrong, without its `invalid <field> [value]: ` opening, so that each transport words the
 * error for what the user typed while the rule and its wording stay the server's.
 */
function reasonOf(error: InvalidInputError, raw?: string): string {
  const head = `invalid ${error.field ?? ''}`;
  const openings = [`${head}: `, ...(raw === undefined ? [] : [`${head} ${JSON.stringify(raw)}: `])];
  const opening = openings.find((prefix) => error.message.startsWith(prefix));
  return opening === undefined ? error.message : error.message.slice(opening.length);
}

/** The core's refusal of `check` as a reason, or undefined when it passed. */
function problemOf(check: () => unknown, raw?: string): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof InvalidInputError) return reasonOf(error, raw);
    throw error;
  }
}

function split(entry: string, separator: string): [string, string] | undefined {
  const at = entry.indexOf(separator);
  return at <= 0 ? undefined : [entry.slice(0, at), entry.slice(at + separator.length)];
}

/**
 * A role's CPU or memory as the server checks `config.masterResources` / `config.workerResources` (a worker must
 * keep enough memory to offer some); undefined when it is fine.
 */
export function quantityProblem(
  role: 'master' | 'worker',
  kind: keyof Resources,
  value: string,
): string | undefined {
  const field = role === 'master' ? 'config.masterResources' : 'config.workerResources';
  return problemOf(() => parseResources({ [kind]: value }, field, role), value);
}

/** `cpu` and `memory` as typed, trimmed; undefined when neither is given. */
export function resourcesOf(cpu: string | undefined, memory: string | undefined): Resources | undefined {
  const out: { cpu?: string; memory?: string } = {};
  if (cpu !== undefined && cpu.trim() !== '') out.cpu = cpu.trim();
  if (memory !== undefined && memory.trim() !== '') out.memory = memory.trim();
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * `KEY=VALUE` entries as `config.nodeSelector`, `config.labels` or `config.annotations`, each checked by the
 * server's rules for that field; a key given twice is refused rather than silently overwritten.
 */
export function parsePairEntries(
  entries: readonly string[],
  field: 'nodeSelector' | 'labels' | 'annotations',
): Entries<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [index, entry] of entries.entries()) {
    const wrong = (problem: string): EntryProblem => ({ ok: false, list: field, index, entry, problem });
    const pair = split(entry, '=');
    if (pair === undefined) return wrong('expected KEY=VALUE');
    const [key, value] = pair;
    if (Object.hasOwn(out, key)) return wrong(`${key} is given twice`);
    const problem = problemOf(() => parsePodSettings({ [field]: { [key]: value } }));
    if (problem !== undefined) return wrong(problem);
    out[key] = value;
  }
  return { ok: true, value: entries.length === 0 ? undefined : out };
}

/**
 * `NAME=VALUE` and `NAME=SECRET:KEY` entries as `config.env`: plain values first, then Secret keys, each in the
 * order given; names are checked as the server checks them, and a name may be given once across both.
 */
export function parseEnvEntries(plain: readonly string[], fromSecret: readonly string[]): Entries<EnvVar[]> {
  const out: EnvVar[] = [];
  const add = (list: 'env' | 'envFromSecret', index: number, entry: string, env: EnvVar) => {
    const wrong = (problem: string): EntryProblem => ({ ok: false, list, index, entry, problem });
    if (out.some((known) => known.name === env.name)) return wrong(`${env.name} is given twice`);
    const problem = problemOf(() => parsePodSettings({ env: [env] }));
    if (problem !== undefined) return wrong(problem);
    out.push(env);
    return undefined;
  };
  for (const [index, entry] of plain.entries()) {
    const pair = split(entry, '=');
    const problem =
      pair === undefined
        ? ({ ok: false, list: 'env', index, entry, problem: 'expected NAME=VALUE' } as const)
        : add('env', index, entry, { name: pair[0], value: pair[1] });
    if (problem !== undefined) return problem;
  }
  for (const [index, entry] of fromSecret.entries()) {
    const pair = split(entry, '=');
    const ref = pair === undefined ? undefined : split(pair[1], ':');
    const problem =
      pair === undefined || ref === undefined || ref[1] === ''
        ? ({
            ok: false,
            list: 'envFromSecret',
            index,
            entry,
            problem: 'expected NAME=SECRET:KEY, e.g. TOKEN=creds:token',
          } as const)
        : add('envFromSecret', index, entry, {
            name: pair[0],
            secretKeyRef: { name: ref[0], key: ref[1] },
          });
    if (problem !== undefined) return problem;
  }
  return { ok: true, value: out.length === 0 ? undefined : out };
}

/** CPU and memory as the CLI's flags and the console's fields name them: `cpu 2, memory 4Gi`. */
export function formatResources(resources: Resources): string {
  return [
    ...(resources.cpu === undefined ? [] : [`cpu ${resources.cpu}`]),
    ...(resources.memory === undefined ? [] : [`memory ${resources.memory}`]),
  ].join(', ');
}

/** A map as the entries it was typed as: `disktype=ssd`. */
export function formatPairs(map: Readonly<Record<string, string>>): string[] {
  return Object.entries(map).map(([key, value]) => `${key}=${value}`);
}

/** A variable as typed, its Secret said out loud: `MODE=fast`, `TOKEN from Secret creds:token`. */
export function formatEnvVar(env: EnvVar): string {
  return env.secretKeyRef === undefined
    ? `${env.name}=${env.value ?? ''}`
    : `${env.name} from Secret ${env.secretKeyRef.name}:${env.secretKeyRef.key}`;
}
