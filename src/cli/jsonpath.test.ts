import { describe, expect, it } from 'vitest';
import { JsonPathError, parseJsonPath, renderJsonPath } from './jsonpath.js';

const LIST = {
  items: [
    { name: 'spark1', status: 'Running', workers: { ready: 2, desired: 2 }, labels: { 'team.io/x': 'a' } },
    { name: 'etl', status: 'Creating', workers: { ready: 0, desired: 3 } },
  ],
};

function render(template: string, value: unknown = LIST): string {
  return renderJsonPath(parseJsonPath(template), value);
}

describe("kubectl's JSONPath subset", () => {
  it('reads fields and joins several results with a space, as kubectl does', () => {
    expect(render('{.items[*].name}')).toBe('spark1 etl');
    expect(render('{.items[0].workers.ready}')).toBe('2');
    expect(render('{.items[-1].name}')).toBe('etl');
    expect(render('{$.items[1].status}')).toBe('Creating');
    expect(render("{.items[0].labels['team.io/x']}")).toBe('a');
  });

  it('prints objects and lists as JSON, and a missing field as nothing', () => {
    expect(render('{.items[1].workers}')).toBe('{"ready":0,"desired":3}');
    expect(render('{.items[0].nothing}')).toBe('');
    expect(render('{.items[5].name}')).toBe('');
    expect(render('{.}', { a: 1 })).toBe('{"a":1}');
    expect(render('{@}', 'plain')).toBe('plain');
  });

  it('keeps the text around actions and reads quoted strings with their escapes', () => {
    expect(render('master: {.masterUrl}{"\\n"}', { masterUrl: 'spark://a:7077' })).toBe(
      'master: spark://a:7077\n',
    );
    expect(render('{"}"}x{"\\t"}')).toBe('}x\t');
  });

  it('repeats a range for each item, relative to the item', () => {
    expect(render('{range .items[*]}{.name}={.status}{"\\n"}{end}')).toBe('spark1=Running\netl=Creating\n');
    expect(render('{range .items}[{.workers.desired}]{end}')).toBe('[2][3]');
  });

  it('says what is wrong with a template that does not parse', () => {
    for (const [template, problem] of [
      ['{.items', 'unclosed action'],
      ['{range .items[*]}{.name}', '{range} without {end}'],
      ['{.name}{end}', '{end} without {range}'],
      ['{.items[?(@.x)]}', 'cannot read "[?(@.x)]"'],
      ['{}', 'empty expression'],
      ['', 'no template given'],
    ] as const) {
      expect(() => parseJsonPath(template)).toThrow(JsonPathError);
      expect(() => parseJsonPath(template)).toThrow(problem);
    }
  });
});
