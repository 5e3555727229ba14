/**
 * The pod settings of a cluster's `config` as people type and read them: `KEY=VALUE` for node selectors, labels and
 * annotations, `NAME=VALUE` and `NAME=SECRET:KEY` for the environment, `KEY[=VALUE]:EFFECT` (kubectl's taint
 * syntax) for tolerations, Secret names for pull secrets, quantities for CPU and memory. The CLI's flags
 * and the console's fields share these forms, and each entry is checked by the server's own parsers (src/core), so
 * both refuse what the server would, in its words, before a request. Pure.
 */
import { InvalidInputError, UnprocessableError } from '../core/errors.js';
import { MAX_PULL_SECRETS, parsePodSettings, type EnvVar, type Toleration } from '../core/pod-settings.js';
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
export type EntryList =
  'nodeSelector' | 'labels' | 'annotations' | 'env' | 'envFromSecret' | 'imagePullSecrets' | 'tolerations';
export type Entries<T> = { readonly ok: true; readonly value: T | undefined } | EntryProblem;

/**
 * What a core parser found wrong, as the rule it states (the error's `rule`), without the field or value the core
 * named: each transport words the error for what the user typed while the rule and its wording stay the server's.
 */
function reasonOf(error: InvalidInputError | UnprocessableError): string {
  return error.rule ?? error.message;
}

/** The core's refusal of `check` as a reason, or undefined when it passed. */
function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    // A form refused (400) or an amount (422): either is the reason the text is wrong.
    if (error instanceof InvalidInputError || error instanceof UnprocessableError) return reasonOf(error);
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
  return problemOf(() => parseResources({ [kind]: value }, field, role));
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

/** Secret names as `config.imagePullSecrets`, each checked as the server checks it, each given once. */
export function parsePullSecretEntries(entries: readonly string[]): Entries<string[]> {
  for (const [index, entry] of entries.entries()) {
    const wrong = (problem: string): EntryProblem => ({
      ok: false,
      list: 'imagePullSecrets',
      index,
      entry,
      problem,
    });
    if (entries.indexOf(entry) < index) return wrong(`${entry} is given twice`);
    if (index >= MAX_PULL_SECRETS) return wrong(`at most ${String(MAX_PULL_SECRETS)} Secrets`);
    const problem = problemOf(() => parsePodSettings({ imagePullSecrets: [entry] }));
    if (problem !== undefined) return wrong(problem);
  }
  return { ok: true, value: entries.length === 0 ? undefined : [...entries] };
}

const TOLERATION_SYNTAX = 'expected KEY[=VALUE]:EFFECT, e.g. dedicated=spark:NoSchedule';

/**
 * Tolerations in kubectl's taint syntax as `config.tolerations`: `KEY=VALUE:EFFECT` tolerates that taint
 * (operator Equal), `KEY:EFFECT` any value of the key (operator Exists); each checked by the server's rules.
 */
export function parseTolerationEntries(entries: readonly string[]): Entries<Toleration[]> {
  const out: Toleration[] = [];
  for (const [index, entry] of entries.entries()) {
    const wrong = (problem: string): EntryProblem => ({
      ok: false,
      list: 'tolerations',
      index,
      entry,
      problem,
    });
    const colon = entry.lastIndexOf(':');
    const taint = colon <= 0 ? undefined : entry.slice(0, colon);
    const effect = entry.slice(colon + 1);
    if (taint === undefined || effect === '' || taint.startsWith('=')) return wrong(TOLERATION_SYNTAX);
    const pair = split(taint, '=');
    const toleration: Toleration =
      pair === undefined
        ? { key: taint, operator: 'Exists', effect: effect as Toleration['effect'] }
        : { key: pair[0], operator: 'Equal', value: pair[1], effect: effect as Toleration['effect'] };
    let parsed: Toleration | undefined;
    const problem = problemOf(() => {
      [parsed] = parsePodSettings({ tolerations: [toleration] }).tolerations ?? [];
    });
    if (problem !== undefined) return wrong(problem);
    out.push(parsed ?? toleration);
  }
  return { ok: true, value: entries.length === 0 ? undefined : out };
}

/** A toleration as kubectl writes a taint: `dedicated=spark:NoSchedule`, `gpu:NoSchedule`, `every taint`. */
export function formatToleration(toleration: {
  readonly key?: string | undefined;
  readonly operator?: string | undefined;
  readonly value?: string | undefined;
  readonly effect?: string | undefined;
  readonly tolerationSeconds?: number | undefined;
}): string {
  const { key, operator, value, effect, tolerationSeconds } = toleration;
  const seconds = tolerationSeconds === undefined ? '' : ` for ${String(tolerationSeconds)}s`;
  if (key === undefined || key === '')
    return `every taint${effect === undefined ? '' : ` (${effect})`}${seconds}`;
  const taint = operator === 'Exists' ? key : `${key}=${value ?? ''}`;
  return `${taint}${effect === undefined ? '' : `:${effect}`}${seconds}`;
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
