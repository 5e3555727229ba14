/**
 * What a row of the settings table (cluster-settings.ts) is, and what the code that walks the table does with a
 * row's values: their wire form and whether two are the same. Pure.
 */
import type { TSchema } from '@sinclair/typebox';

/** What a parser may depend on besides the value: the server's limits. */
export interface ParseContext {
  /** The most workers a cluster may have (OSHINKO_MAX_WORKERS; the CLI's own, higher, bound). */
  readonly maxWorkers: number;
}

/**
 * How the CLI reads a setting from its flags: `value` through the row's parser, the others through the CLI's
 * parser of that form (src/cli/setting-flags.ts).
 */
export type CliForm = 'value' | 'resources' | 'pairs' | 'tolerations' | 'env' | 'pull-secrets';

export interface CliFlag {
  /** `--image-pull-policy`; with `sameAs`, another spelling of that flag (`--expose-ui` of `--exposeui`). */
  readonly flag: string;
  readonly arg: string;
  readonly help: string;
  readonly choices?: readonly string[];
  readonly repeatable?: boolean;
  readonly sameAs?: string;
}

export interface Setting<K extends string, V> {
  /** The field of `config`, on the wire and in the domain. */
  readonly key: K;
  /** How a message names what the setting is: "the image pull policy". */
  readonly label: string;
  /** The request's schema for the field. */
  input(ctx: ParseContext): TSchema;
  /** Another name of the field in a request (the design spec's `imageUrl`): the same field, its own schema. */
  readonly alias?: { readonly key: string; readonly schema: TSchema };
  /** The response's schema for the field. */
  readonly model: TSchema;
  /** Every cluster has this setting: its value when nothing sets it (the server default image for the image). */
  readonly default?: (defaultImage: string) => V;
  /** Checks a request's (schema-valid), a stored configuration's (text) or an annotation's value. */
  parse(value: unknown, field: string, ctx: ParseContext): V;
  /** Its stored configuration keys; `read` turns one key's text into the value (default: `parse`). */
  readonly stored?: {
    readonly keys: readonly string[];
    read?(raw: string, key: string, field: string, previous: V | undefined, ctx: ParseContext): V | undefined;
  };
  /** The value as the wire (and the annotation) has it; default: as it is. */
  toWire?(value: V): unknown;
  /** A `PUT` with a different value: `scale` applies it (the counts), `refuse` answers 422 naming the field. */
  readonly onChange: 'scale' | 'refuse';
  /** The local driver refuses a cluster that sets it, for this reason; absent: the local driver supports it. */
  readonly localRefusal?: string;
  readonly cli?: { readonly form: CliForm; readonly flags: readonly CliFlag[] };
}

/** A row, its types kept: `required` rows are in every cluster's configuration (they have a default). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each row has its own value type
export function setting<const R extends Setting<string, any> & { readonly required?: boolean }>(
  row: R,
): R & { readonly required: R['required'] extends true ? true : false } {
  return { required: false, ...row } as R & { readonly required: R['required'] extends true ? true : false };
}

export const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));
export const trimmed = (raw: string): string => raw.trim();

/** A value as the wire and the annotation have it. */
export function wireValue(row: { toWire?(value: unknown): unknown }, value: unknown): unknown {
  return row.toWire === undefined || value === undefined ? value : row.toWire(value);
}

/** Whether a configuration sets a row: present and, for a name, not empty. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== '';
}

/** Two values of one setting are the same when their wire forms are, whatever the order of an object's keys. */
export function sameSetting(row: { toWire?(value: unknown): unknown }, a: unknown, b: unknown): boolean {
  return canonical(wireValue(row, a)) === canonical(wireValue(row, b));
}

/** An empty list or map says as much as none: `tolerations: []` on a cluster without any is no change. */
function isEmpty(value: unknown): boolean {
  return (
    value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

function canonical(value: unknown): string {
  if (isEmpty(value)) return 'none';
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
