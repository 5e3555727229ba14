import { assertImageReference } from '../core/cluster-config.js';
import { clusterNameProblem, configNameProblem } from '../core/cluster-name.js';
import { InvalidInputError } from '../core/errors.js';
import { parsePodSettings, type EnvVar } from '../core/pod-settings.js';
import { parseResources, type Resources } from '../core/resources.js';

/**
 * Parsers of command-line values. Each error names the flag and the value as the user typed them, e.g.
 * `invalid --workers "abc": expected a whole number from 0 to 1000`.
 */

function invalid(flag: string, value: string, expected: string): InvalidInputError {
  return new InvalidInputError(`invalid ${flag} ${JSON.stringify(value)}: ${expected}`, { field: flag });
}

export function parseCount(value: string, flag: string, max: number): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > max) {
    throw invalid(flag, value, `expected a whole number from 0 to ${max}`);
  }
  return Number(trimmed);
}

export function parseClusterName(value: string): string {
  const problem = clusterNameProblem(value);
  if (problem !== undefined) throw invalid('NAME', value, problem);
  return value;
}

/** Names of stored configurations and Spark config sets (ConfigMaps). */
export function parseConfigName(value: string, flag: string): string {
  const problem = configNameProblem(value);
  if (problem !== undefined) throw invalid(flag, value, problem);
  return value;
}

export function parseImage(value: string, flag: string): string {
  assertImageReference(value, flag);
  return value;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Durations as `90s`, `5m`, `1h30m`, `500ms`, or a bare number of seconds. */
export function parseDuration(value: string, flag: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = /^(?:\d+(?:ms|h|m|s))+$/.test(text) ? text.match(/\d+(?:ms|h|m|s)/g) : null;
  if (parts === null) {
    throw invalid(flag, value, 'expected a duration such as 30s, 5m, 1h30m or 500ms');
  }
  let total = 0;
  for (const part of parts) {
    const [, digits = '0', unit = 's'] = /^(\d+)(ms|h|m|s)$/.exec(part) ?? [];
    total += Number(digits) * (UNIT_MS[unit] ?? 1000);
  }
  if (total <= 0) throw invalid(flag, value, 'expected a duration greater than zero');
  return total;
}

/** Parses a server URL from `--server` or `OSHINKO_SERVER`: http or https, no query or fragment. */
export function parseServerUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(source, value, 'expected a URL such as http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(source, value, 'expected an http:// or https:// URL');
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalid(source, value, 'the server URL must not have a query or fragment');
  }
  return value.replace(/\/+$/, '');
}

/** Commander's argument parser for a repeatable flag: every occurrence, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses repeated KEY=VALUE flags; the flag is named in the error. */
export function parsePairs(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const [key, rest] = splitPair(value, flag, 'KEY=VALUE');
    out[key] = rest;
  }
  return out;
}

function splitPair(value: string, flag: string, syntax: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw invalid(flag, value, `expected ${syntax}`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

/**
 * What a core parser found wrong, without its own `invalid <field> [value]: ` opening, so that the CLI words the
 * error for the flag as typed while the rule and its wording stay the server's.
 */
function reasonOf(error: InvalidInputError, raw?: string): string {
  const head = `invalid ${error.field ?? ''}`;
  const openings = [`${head}: `, ...(raw === undefined ? [] : [`${head} ${JSON.stringify(raw)}: `])];
  const opening = openings.find((prefix) => error.message.startsWith(prefix));
  return opening === undefined ? error.message : error.message.slice(opening.length);
}

/** Runs a core check of one flag value; its refusal names the flag and the value as typed. */
function checked<T>(flag: string, typed: string, check: () => T, raw?: string): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InvalidInputError) throw invalid(flag, typed, reasonOf(error, raw));
    throw error;
  }
}

/**
 * `--master-cpu` and `--master-memory` (or the worker's) as the role's `Resources`, checked as the server checks
 * `config.masterResources` (a worker must keep enough memory to offer); undefined when neither is given.
 */
export function parseRoleResources(
  role: 'master' | 'worker',
  cpu: string | undefined,
  memory: string | undefined,
): Resources | undefined {
  const out: { cpu?: string; memory?: string } = {};
  const field = role === 'master' ? 'config.masterResources' : 'config.workerResources';
  if (cpu !== undefined) {
    out.cpu = checked(`--${role}-cpu`, cpu, () => parseResources({ cpu }, field, role).cpu, cpu);
  }
  if (memory !== undefined) {
    out.memory = checked(
      `--${role}-memory`,
      memory,
      () => parseResources({ memory }, field, role).memory,
      memory,
    );
  }
  return cpu === undefined && memory === undefined ? undefined : out;
}

/** The pod settings given as KEY=VALUE flags, each flag with its request field. */
export const PAIR_FLAGS = {
  nodeSelector: '--node-selector',
  labels: '--label',
  annotations: '--annotation',
} as const;

/**
 * Repeated `KEY=VALUE` flags as one map of `config.nodeSelector`, `config.labels` or `config.annotations`, each pair
 * checked by the server's rules for that field (a reserved label, a bad key or label value); a key given twice is
 * refused rather than silently overwritten.
 */
export function parseKeyValueFlags(
  values: readonly string[],
  field: keyof typeof PAIR_FLAGS,
): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const flag = PAIR_FLAGS[field];
  const out: Record<string, string> = {};
  for (const typed of values) {
    const [key, value] = splitPair(typed, flag, 'KEY=VALUE');
    if (Object.hasOwn(out, key)) throw invalid(flag, typed, `${key} is given twice`);
    checked(flag, typed, () => parsePodSettings({ [field]: { [key]: value } }));
    out[key] = value;
  }
  return out;
}

/**
 * `--env NAME=VALUE` and `--env-from-secret NAME=SECRET:KEY` as `config.env`: plain values first, then Secret keys,
 * each in the order given; names are checked as the server checks them, and a name may be given once.
 */
export function parseEnvFlags(plain: readonly string[], fromSecret: readonly string[]): EnvVar[] | undefined {
  if (plain.length === 0 && fromSecret.length === 0) return undefined;
  const seen = new Set<string>();
  const entry = (flag: string, typed: string, env: EnvVar): EnvVar => {
    if (seen.has(env.name)) throw invalid(flag, typed, `${env.name} is given twice`);
    seen.add(env.name);
    const [parsed] = checked(flag, typed, () => parsePodSettings({ env: [env] }).env ?? []);
    return parsed ?? env;
  };
  return [
    ...plain.map((typed) => {
      const [name, value] = splitPair(typed, '--env', 'NAME=VALUE');
      return entry('--env', typed, { name, value });
    }),
    ...fromSecret.map((typed) => {
      const [name, ref] = splitPair(typed, '--env-from-secret', 'NAME=SECRET:KEY');
      const colon = ref.indexOf(':');
      if (colon <= 0 || colon === ref.length - 1) {
        throw invalid('--env-from-secret', typed, 'expected NAME=SECRET:KEY, e.g. TOKEN=creds:token');
      }
      return entry('--env-from-secret', typed, {
        name,
        secretKeyRef: { name: ref.slice(0, colon), key: ref.slice(colon + 1) },
      });
    }),
  ];
}
