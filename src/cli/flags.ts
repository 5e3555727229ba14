import { assertImageReference } from '../core/cluster-config.js';
import { clusterNameProblem, configNameProblem } from '../core/cluster-name.js';
import { InvalidInputError } from '../core/errors.js';
import type { EnvVar } from '../core/pod-settings.js';
import type { Resources } from '../core/resources.js';
import type { Toleration } from '../core/pod-settings.js';
import {
  parseEnvEntries,
  parsePairEntries,
  parsePullSecretEntries,
  parseTolerationEntries,
  quantityProblem,
  resourcesOf,
  type Entries,
  type EntryList,
} from '../client/pod-settings-text.js';

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

/** A cluster named as the CLI prints it: `NAME`, or `cluster/NAME` as `-o name` prints it (so its output can be fed back). */
export function parseClusterArg(value: string): string {
  return parseClusterName(value.startsWith('cluster/') ? value.slice('cluster/'.length) : value);
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

/** Throws the first wrong entry of repeated flags, naming the flag and the value as typed. */
function entriesOrThrow<T>(
  result: Entries<T>,
  flags: Readonly<Partial<Record<EntryList, string>>>,
): T | undefined {
  if (result.ok) return result.value;
  throw invalid(flags[result.list] ?? result.list, result.entry, result.problem);
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
  for (const [kind, value] of [
    ['cpu', cpu],
    ['memory', memory],
  ] as const) {
    const problem = value === undefined ? undefined : quantityProblem(role, kind, value);
    if (value !== undefined && problem !== undefined) throw invalid(`--${role}-${kind}`, value, problem);
  }
  return resourcesOf(cpu, memory);
}

/** The pod settings given as KEY=VALUE flags, each flag with its request field. */
export const PAIR_FLAGS = {
  nodeSelector: '--node-selector',
  labels: '--label',
  annotations: '--annotation',
} as const;

/** Repeated `KEY=VALUE` flags as `config.nodeSelector`, `config.labels` or `config.annotations`. */
export function parseKeyValueFlags(
  values: readonly string[],
  field: keyof typeof PAIR_FLAGS,
): Record<string, string> | undefined {
  return entriesOrThrow(parsePairEntries(values, field), PAIR_FLAGS);
}

/** `--env NAME=VALUE` and `--env-from-secret NAME=SECRET:KEY` as `config.env`. */
export function parseEnvFlags(plain: readonly string[], fromSecret: readonly string[]): EnvVar[] | undefined {
  return entriesOrThrow(parseEnvEntries(plain, fromSecret), {
    env: '--env',
    envFromSecret: '--env-from-secret',
  });
}

/** `--image-pull-secret NAME` (repeatable) as `config.imagePullSecrets`. */
export function parsePullSecretFlags(values: readonly string[]): string[] | undefined {
  return entriesOrThrow(parsePullSecretEntries(values), { imagePullSecrets: '--image-pull-secret' });
}

/** `--toleration KEY[=VALUE]:EFFECT` (repeatable) as `config.tolerations`. */
export function parseTolerationFlags(values: readonly string[]): Toleration[] | undefined {
  return entriesOrThrow(parseTolerationEntries(values), { tolerations: '--toleration' });
}
