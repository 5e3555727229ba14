import { InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { JsonPathError, parseJsonPath, renderJsonPath, type JsonPathTemplate } from './jsonpath.js';

/**
 * `-o, --output` as kubectl has it, for every command that prints an object: one option builder, one parser and
 * one printer of the formats for programs (json, yaml, name, jsonpath). The formats for people (the table, `wide`,
 * `version`'s text) are each command's own rendering, from `format.ts`.
 */

export type OutputName = 'table' | 'text' | 'wide' | 'json' | 'yaml' | 'name' | 'jsonpath';

export type Output =
  | { readonly kind: Exclude<OutputName, 'jsonpath'> }
  | { readonly kind: 'jsonpath'; readonly template: JsonPathTemplate };

/** Every format that `get` takes; other commands take some of them. */
export const CLUSTER_OUTPUTS: readonly OutputName[] = ['table', 'wide', 'json', 'yaml', 'name', 'jsonpath'];

function spelled(name: OutputName): string {
  return name === 'jsonpath' ? 'jsonpath=TEMPLATE' : name;
}

/** Reads an `-o` value; the error is commander's usage error, which names `-o` and the value as typed. */
export function parseOutput(value: string, allowed: readonly OutputName[]): Output {
  const expected = `expected ${allowed.map(spelled).join(', ')}`;
  if (value.startsWith('jsonpath=') && allowed.includes('jsonpath')) {
    const source = value.slice('jsonpath='.length).replace(/^'(.*)'$/s, '$1');
    try {
      return { kind: 'jsonpath', template: parseJsonPath(source) };
    } catch (error) {
      if (error instanceof JsonPathError)
        throw new InvalidArgumentError(`bad JSONPath template: ${error.message}`);
      throw error;
    }
  }
  const name = allowed.find((candidate) => candidate === value && candidate !== 'jsonpath');
  if (name === undefined) throw new InvalidArgumentError(`${expected}.`);
  return { kind: name } as Output;
}

/**
 * The `-o` option of a command, with the formats it takes. The first is the default; a `fallback` not among them is
 * the command's own output, which `-o` does not name (`delete` takes `-o name` alone): the option is then undefined.
 */
export function outputOption(
  allowed: readonly OutputName[],
  fallback: OutputName = allowed[0] ?? 'table',
): Option {
  const option = new Option(
    '-o, --output <format>',
    allowed.includes('jsonpath')
      ? 'output format; jsonpath=TEMPLATE takes a kubectl JSONPath template, e.g. {.items[*].name}'
      : 'output format',
  ).argParser((value: string) => parseOutput(value, allowed));
  if (allowed.includes(fallback)) option.default({ kind: fallback }, fallback);
  // Shown in help and offered by shell completion; the parser above is what checks a value.
  option.argChoices = allowed.map((name) => (name === 'jsonpath' ? 'jsonpath=' : name));
  return option;
}

/** `--no-headers`, as kubectl has it for its tables. */
export function noHeadersOption(): Option {
  return new Option('--no-headers', 'table output: leave out the header line');
}

/** True for the formats meant for programs: progress and hints then go to standard error, not into the output. */
export function forPrograms(output: Output): boolean {
  return output.kind !== 'table' && output.kind !== 'text' && output.kind !== 'wide';
}

export function serialize(value: unknown, kind: 'json' | 'yaml'): string {
  return kind === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

/** One object or list as a program format prints it: `value` for json and yaml, `names` for name, `root` for jsonpath. */
export function printForPrograms(
  output: Output,
  printed: { readonly value: unknown; readonly names: readonly string[]; readonly root?: unknown },
): string {
  switch (output.kind) {
    case 'json':
    case 'yaml':
      return serialize(printed.value, output.kind);
    case 'name':
      return printed.names.map((name) => `${name}\n`).join('');
    case 'jsonpath':
      return renderJsonPath(output.template, printed.root ?? printed.value);
    default:
      throw new Error(`-o ${output.kind} is printed by the command`);
  }
}

/** How `-o name` names a cluster, as kubectl names an object: `cluster/NAME`. */
export function clusterRef(name: string): string {
  return `cluster/${name}`;
}
