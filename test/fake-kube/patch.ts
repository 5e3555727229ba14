/** The three patch types the API server applies: JSON merge, strategic merge (lists keyed by name), JSON patch. */
import { clone, HttpError, isRecord, type Json } from './kube-object.js';

/** An object patch merged key by key (`null` deletes), each value by `merge`; anything else replaces. */
function mergeKeys(
  target: unknown,
  patch: unknown,
  merge: (target: unknown, patch: unknown) => unknown,
): unknown {
  if (!isRecord(patch)) return clone(patch);
  const result: Json = isRecord(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = merge(result[key], value);
  }
  return result;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  return mergeKeys(target, patch, mergePatch);
}

/** Strategic merge patch, for the lists that matter here: lists of objects with a `name` merge by name. */
export function strategicPatch(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(target)) {
    const keyed = patch.every((item) => isRecord(item) && typeof item.name === 'string');
    if (!keyed) return clone(patch);
    const result = clone(target) as unknown[];
    for (const item of patch as Json[]) {
      const index = result.findIndex((existing) => isRecord(existing) && existing.name === item.name);
      if (index >= 0) result[index] = strategicPatch(result[index], item);
      else result.push(clone(item));
    }
    return result;
  }
  return mergeKeys(target, patch, strategicPatch);
}

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON patch: add, remove, replace, test. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new HttpError(400, 'BadRequest', 'a JSON patch must be an array');
  const document = clone(target);
  for (const op of operations) {
    if (!isRecord(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw new HttpError(400, 'BadRequest', 'invalid JSON patch operation');
    }
    const tokens = pointer(op.path);
    const last = tokens.pop();
    let parent: unknown = document;
    for (const token of tokens) {
      parent = isRecord(parent) ? parent[token] : Array.isArray(parent) ? parent[Number(token)] : undefined;
    }
    if (last === undefined || (!isRecord(parent) && !Array.isArray(parent))) {
      throw new HttpError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: path ${op.path} does not exist`,
      );
    }
    const container = parent as Json;
    switch (op.op) {
      case 'add':
      case 'replace':
        if (op.op === 'replace' && !(last in container)) {
          throw new HttpError(
            422,
            'Invalid',
            `replace operation does not apply: doc is missing key: ${op.path}`,
          );
        }
        if (Array.isArray(parent) && op.op === 'add')
          parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
        else container[last] = op.value;
        break;
      case 'remove':
        if (!(last in container))
          throw new HttpError(
            422,
            'Invalid',
            `remove operation does not apply: doc is missing path: ${op.path}`,
          );
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else Reflect.deleteProperty(container, last);
        break;
      case 'test':
        if (JSON.stringify(container[last]) !== JSON.stringify(op.value)) {
          throw new HttpError(422, 'Invalid', `testing value ${op.path} failed`);
        }
        break;
      default:
        throw new HttpError(400, 'BadRequest', `unsupported JSON patch operation ${op.op}`);
    }
  }
  return document;
}

/** Applies a PATCH body by its content type, as the API server does (no strategic merge for custom resources). */
export function applyPatch(current: unknown, body: unknown, contentType: string, custom: boolean): unknown {
  if (contentType.startsWith('application/json-patch+json')) return jsonPatch(current, body);
  if (contentType.startsWith('application/merge-patch+json')) return mergePatch(current, body);
  if (contentType.startsWith('application/strategic-merge-patch+json')) {
    if (custom)
      throw new HttpError(
        415,
        'UnsupportedMediaType',
        'strategic merge patch is not supported for custom resources',
      );
    return strategicPatch(current, body);
  }
  throw new HttpError(
    415,
    'UnsupportedMediaType',
    `the fake API server does not support patch type ${contentType}`,
  );
}
