/** Label selectors as the API server parses them, for lists, watches and the fake's own scheduling rules. */
import { HttpError } from './kube-object.js';

/** One requirement of a label selector: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`. */
export type Requirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(text: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map((raw) => {
    const part = raw.trim();
    let match = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (match) {
      const [, key = '', op, list = ''] = match;
      const values = new Set(list.split(',').map((v) => v.trim()));
      return op === 'in'
        ? (labels) => labels[key] !== undefined && values.has(labels[key])
        : (labels) => labels[key] === undefined || !values.has(labels[key]);
    }
    match = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(part);
    if (match) {
      const [, key = '', op, value = ''] = match;
      return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
    }
    match = /^(!?)([^\s!=]+)$/.exec(part);
    if (match) {
      const [, not, key = ''] = match;
      return not === '!' ? (labels) => labels[key] === undefined : (labels) => labels[key] !== undefined;
    }
    throw new HttpError(400, 'BadRequest', `unable to parse requirement: ${JSON.stringify(part)}`);
  });
}

/** Whether labels meet every requirement (an empty selector selects everything). */
export function selects(requirements: readonly Requirement[], labels: Record<string, string>): boolean {
  return requirements.every((matches) => matches(labels));
}
