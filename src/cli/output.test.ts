import { InvalidArgumentError } from 'commander';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CLUSTER_OUTPUTS, forPrograms, parseOutput, printForPrograms } from './output.js';

describe('-o, --output', () => {
  it('takes the formats a command allows, and jsonpath=TEMPLATE', () => {
    expect(parseOutput('wide', CLUSTER_OUTPUTS)).toEqual({ kind: 'wide' });
    expect(parseOutput('jsonpath={.name}', CLUSTER_OUTPUTS).kind).toBe('jsonpath');
    // A template quoted once more (as some shells leave it) reads the same.
    const quoted = parseOutput("jsonpath='{.name}'", CLUSTER_OUTPUTS);
    expect(quoted.kind === 'jsonpath' && quoted.template.source).toBe('{.name}');
  });

  it('refuses other formats and bad templates as usage errors that say what is expected', () => {
    expect(() => parseOutput('xml', CLUSTER_OUTPUTS)).toThrow(InvalidArgumentError);
    expect(() => parseOutput('xml', CLUSTER_OUTPUTS)).toThrow(
      'expected table, wide, json, yaml, name, jsonpath=TEMPLATE',
    );
    expect(() => parseOutput('json', ['name'])).toThrow('expected name.');
    expect(() => parseOutput('jsonpath={.x}', ['text', 'json', 'yaml'])).toThrow('expected text, json, yaml');
    expect(() => parseOutput('jsonpath={.items', CLUSTER_OUTPUTS)).toThrow(
      'bad JSONPath template: unclosed action',
    );
  });

  it('prints the formats for programs; the tables are for people', () => {
    const value = { name: 'spark1', workers: { ready: 1 } };
    const printed = { value, names: ['cluster/spark1'] };
    expect(JSON.parse(printForPrograms({ kind: 'json' }, printed))).toEqual(value);
    expect(parse(printForPrograms({ kind: 'yaml' }, printed))).toEqual(value);
    expect(printForPrograms({ kind: 'name' }, printed)).toBe('cluster/spark1\n');
    expect(printForPrograms(parseOutput('jsonpath={.workers.ready}', CLUSTER_OUTPUTS), printed)).toBe('1');
    expect(
      printForPrograms(parseOutput('jsonpath={.items[*].name}', CLUSTER_OUTPUTS), {
        value: [value],
        names: [],
        root: { items: [value] },
      }),
    ).toBe('spark1');
    expect(forPrograms({ kind: 'wide' })).toBe(false);
    expect(forPrograms({ kind: 'text' })).toBe(false);
    expect(forPrograms({ kind: 'name' })).toBe(true);
  });
});
