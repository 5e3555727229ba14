/**
 * The subset of kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath) that scripts use: literal text,
 * `{.field.sub}`, `{.items[*].name}`, `{.items[0]}`, `{['key']}`, `{@}`, `{"\n"}` and `{range EXPR}...{end}`.
 * As in kubectl, several results of one expression are joined by a space, a missing field prints nothing, and a
 * string prints bare while an object or a list prints as JSON.
 */

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' };

type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'path'; readonly steps: readonly Step[] }
  | { readonly kind: 'range'; readonly steps: readonly Step[]; readonly body: readonly Node[] };

/** A parsed template; `JsonPathError` says what is wrong with one that does not parse. */
export interface JsonPathTemplate {
  readonly source: string;
  readonly nodes: readonly Node[];
}

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

function parseString(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

function parsePath(expression: string): Step[] {
  let rest = expression.trim();
  if (rest === '') throw new JsonPathError('empty expression {}');
  if (rest.startsWith('$') || rest.startsWith('@')) rest = rest.slice(1);
  if (rest === '.') rest = '';
  const steps: Step[] = [];
  while (rest !== '') {
    let match: RegExpExecArray | null;
    if ((match = /^\.\*/.exec(rest)) !== null) {
      steps.push({ kind: 'all' });
    } else if ((match = /^\.([A-Za-z_][\w-]*)/.exec(rest)) !== null) {
      steps.push({ kind: 'field', name: match[1] ?? '' });
    } else if ((match = /^\[\*\]/.exec(rest)) !== null) {
      steps.push({ kind: 'all' });
    } else if ((match = /^\[(-?\d+)\]/.exec(rest)) !== null) {
      steps.push({ kind: 'index', index: Number(match[1]) });
    } else if ((match = /^\[(['"])([^'"]*)\1\]/.exec(rest)) !== null) {
      steps.push({ kind: 'field', name: match[2] ?? '' });
    } else {
      throw new JsonPathError(`cannot read "${rest}" in {${expression}}`);
    }
    rest = rest.slice(match[0].length);
  }
  return steps;
}

/** Splits the template into text and `{...}` actions; a quoted `}` inside an action does not end it. */
function tokens(source: string): { kind: 'text' | 'action'; text: string }[] {
  const out: { kind: 'text' | 'action'; text: string }[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{', at);
    if (open < 0) {
      out.push({ kind: 'text', text: source.slice(at) });
      break;
    }
    if (open > at) out.push({ kind: 'text', text: source.slice(at, open) });
    let close = open + 1;
    let quote: string | undefined;
    for (; close < source.length; close += 1) {
      const c = source[close];
      if (quote !== undefined) {
        if (c === '\\') close += 1;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}') break;
    }
    if (close >= source.length) throw new JsonPathError(`unclosed action at "${source.slice(open)}"`);
    out.push({ kind: 'action', text: source.slice(open + 1, close).trim() });
    at = close + 1;
  }
  return out;
}

export function parseJsonPath(source: string): JsonPathTemplate {
  if (source.trim() === '') throw new JsonPathError('no template given, e.g. jsonpath={.name}');
  const stack: { steps: Step[]; body: Node[] }[] = [];
  const top: Node[] = [];
  const current = () => stack.at(-1)?.body ?? top;
  for (const token of tokens(source)) {
    if (token.kind === 'text') {
      current().push({ kind: 'text', text: token.text });
    } else if (/^range\s/.test(token.text)) {
      stack.push({ steps: parsePath(token.text.slice('range'.length)), body: [] });
    } else if (token.text === 'end') {
      const range = stack.pop();
      if (range === undefined) throw new JsonPathError('{end} without {range}');
      current().push({ kind: 'range', steps: range.steps, body: range.body });
    } else if (/^"(?:[^"\\]|\\.)*"$/.test(token.text)) {
      current().push({ kind: 'text', text: parseString(token.text) });
    } else {
      current().push({ kind: 'path', steps: parsePath(token.text) });
    }
  }
  if (stack.length > 0) throw new JsonPathError('{range} without {end}');
  return { source, nodes: top };
}

function step(values: readonly unknown[], s: Step): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    if (s.kind === 'all') {
      if (Array.isArray(value)) out.push(...(value as unknown[]));
      else if (value !== null && typeof value === 'object') {
        out.push(...Object.values(value as Record<string, unknown>));
      }
    } else if (s.kind === 'index') {
      if (Array.isArray(value)) {
        const list = value as unknown[];
        const found = list[s.index < 0 ? list.length + s.index : s.index];
        if (found !== undefined) out.push(found);
      }
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const found = (value as Record<string, unknown>)[s.name];
      if (found !== undefined) out.push(found);
    }
  }
  return out;
}

function evaluate(steps: readonly Step[], value: unknown): unknown[] {
  return steps.reduce<unknown[]>((values, s) => step(values, s), [value]);
}

function print(value: unknown): string {
  if (typeof value === 'string') return value;
  // Numbers and booleans print as JSON writes them, objects and lists as JSON.
  return JSON.stringify(value);
}

function renderNodes(nodes: readonly Node[], value: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'path') out += evaluate(node.steps, value).map(print).join(' ');
    else {
      const results = evaluate(node.steps, value);
      const items = results.length === 1 && Array.isArray(results[0]) ? (results[0] as unknown[]) : results;
      for (const item of items) out += renderNodes(node.body, item);
    }
  }
  return out;
}

/** The template applied to one value (for a list, kubectl's `{"items": [...]}`). */
export function renderJsonPath(template: JsonPathTemplate, value: unknown): string {
  return renderNodes(template.nodes, value);
}
