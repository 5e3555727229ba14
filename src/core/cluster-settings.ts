/**
 * The one table of cluster settings: a row per field of a cluster's `config`, with its wire schemas, its stored
 * configuration keys, its parser, what a change to a running cluster does, the drivers that support it and its CLI
 * flags. The request and response schemas, the stored configurations, the merge, `PUT`'s checks, the `oshinko-config`
 * annotation, the local driver's refusals and the CLI's flags are all derived from it (docs/architecture.md, "Adding
 * a setting"). Pure.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { invalidField } from './errors.js';
import {
  parseAnnotations,
  parseEnv,
  parseImagePullSecrets,
  parseLabels,
  parseNodeSelector,
  parseTolerations,
  type EnvVar,
  type Toleration,
} from './pod-settings.js';
import { parseResources, type Resources } from './resources.js';
import {
  BooleanLike,
  configName,
  EnvVarSchema,
  IMAGE_REFERENCE_PATTERN,
  LABEL_VALUE_PATTERN,
  MAX_STRING,
  podMapKeys,
  RULE_KEYWORD,
  stringEnum,
  type NameRule,
  MetricsLike,
  PullSecretsSchema,
  ResourcesInput,
  ResourcesModel,
  TolerationSchema,
} from './setting-schemas.js';
import {
  assertImageReference,
  IMAGE_USER,
  MAX_MASTERS,
  MAX_UID,
  parseBoolean,
  parseConfigName,
  parseCount,
  parseMetrics,
  parsePullPolicy,
  parseRunAsUser,
  PULL_POLICIES,
  METRICS_MODES,
  type MetricsMode,
  type PullPolicy,
  type RunAsUser,
} from './setting-values.js';

export type DriverKind = 'kubernetes' | 'local';

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
function setting<const R extends Setting<string, any> & { readonly required?: boolean }>(
  row: R,
): R & { readonly required: R['required'] extends true ? true : false } {
  return { required: false, ...row } as R & { readonly required: R['required'] extends true ? true : false };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));
const trimmed = (raw: string): string => raw.trim();

/** A ConfigMap of Spark configuration files for one role. */
function sparkConfigSet<const K extends string>(key: K, role: 'master' | 'workers', flag: string) {
  return setting({
    key,
    label: `the Spark configuration of the ${role}`,
    required: true,
    input: () =>
      configName(
        `ConfigMap with Spark config files for the ${role} (Kubernetes; the local driver refuses it)`,
      ),
    model: Type.String(),
    default: () => '',
    parse: (value, field) => parseConfigName(text(value), field),
    stored: { keys: [key.toLowerCase()], read: (raw, _key, field) => parseConfigName(trimmed(raw), field) },
    onChange: 'refuse',
    localRefusal:
      'Spark configuration sets are not supported by the local driver; put the settings into a local image with `oshinko image build --conf KEY=VALUE`',
    cli: {
      form: 'value',
      flags: [
        {
          flag: `--${flag}`,
          arg: '<name>',
          help:
            role === 'master'
              ? 'Kubernetes: ConfigMap with Spark config files for the master (the local driver refuses it: use `oshinko image build --conf`)'
              : 'Kubernetes: ConfigMap with Spark config files for the workers (the local driver refuses it)',
        },
        { flag: `--${flag.replace('config', '-config')}`, arg: '<name>', help: '', sameAs: `--${flag}` },
      ],
    },
  });
}

/** CPU and memory of one role; stored as two keys (`mastercpu`, `mastermemory`). */
function roleResources<const K extends string>(key: K, role: 'master' | 'worker') {
  const described =
    role === 'master'
      ? ResourcesInput('the master', 'the memory sets its heap, the CPU is accepted but not enforced')
      : ResourcesInput(
          'each worker, which it offers its master',
          'the offer alone, nothing limits a process',
        );
  return setting({
    key,
    label: 'the resources',
    input: () => described,
    model: ResourcesModel,
    parse: (value, field): Resources => parseResources(value, field, role),
    stored: {
      keys: [`${role}cpu`, `${role}memory`],
      read: (raw, storedKey, field, previous: Resources | undefined): Resources => {
        const which = storedKey.endsWith('cpu') ? 'cpu' : 'memory';
        parseResources({ [which]: raw.trim() }, field, role);
        return { ...previous, [which]: raw.trim() };
      },
    },
    onChange: 'refuse',
    cli: {
      form: 'resources',
      flags:
        role === 'master'
          ? [
              {
                flag: '--master-cpu',
                arg: '<quantity>',
                help: 'CPU of the master, request and limit (e.g. 1, 500m; local driver: not enforced)',
              },
              {
                flag: '--master-memory',
                arg: '<quantity>',
                help: 'memory of the master, request and limit (e.g. 2Gi); its heap is 3/4 of it',
              },
            ]
          : [
              {
                flag: '--worker-cpu',
                arg: '<quantity>',
                help: 'CPU of each worker, which it offers its master (e.g. 2)',
              },
              {
                flag: '--worker-memory',
                arg: '<quantity>',
                help: 'memory of each worker; it offers what its daemon leaves (e.g. 4Gi)',
              },
            ],
    },
  });
}

const POD_SETTINGS_LOCAL =
  'pod settings are for the Kubernetes driver; the local driver runs processes, not pods';

/** A pod setting held as JSON in a stored configuration. */
function jsonStored<V>(parse: (value: unknown, field: string) => V, key: string) {
  return {
    keys: [key],
    read: (raw: string, _key: string, field: string): V => {
      let value: unknown;
      try {
        value = JSON.parse(raw) as unknown;
      } catch (error) {
        throw invalidField(field, `not JSON (${(error as Error).message})`);
      }
      return parse(value, field);
    },
  };
}

/** A map of strings on every pod (node selector, labels, annotations), given as repeatable KEY=VALUE flags. */
function podMap<const K extends string>(
  key: K,
  label: string,
  parse: (value: unknown, field: string) => Record<string, string>,
  keys: { readonly rule: NameRule; readonly reserved: boolean; readonly labelValues: boolean },
  description: string,
  flag: string,
  help: string,
) {
  return setting({
    key,
    label,
    input: () =>
      Type.Record(
        Type.String(),
        keys.labelValues
          ? Type.String({
              maxLength: 63,
              pattern: LABEL_VALUE_PATTERN,
              [RULE_KEYWORD]: 'label-value' satisfies NameRule,
            })
          : Type.String(),
        { description, propertyNames: podMapKeys(keys.rule, keys.reserved) },
      ),
    model: Type.Record(Type.String(), Type.String()),
    parse,
    stored: jsonStored(parse, key.toLowerCase()),
    onChange: 'refuse',
    localRefusal: POD_SETTINGS_LOCAL,
    cli: { form: 'pairs', flags: [{ flag, arg: '<key=value>', help, repeatable: true }] },
  });
}

export const CLUSTER_SETTINGS = [
  setting({
    key: 'masterCount',
    label: 'the number of masters',
    required: true,
    input: () => Type.Integer({ minimum: 0, maximum: MAX_MASTERS, description: 'Spark masters: 0 or 1' }),
    model: Type.Integer(),
    default: () => 1,
    parse: (value, field) => parseCount(value as string | number, field, MAX_MASTERS),
    stored: { keys: ['mastercount'] },
    onChange: 'scale',
    cli: {
      form: 'value',
      flags: [{ flag: '--masters', arg: '<n>', help: 'number of masters, 0 or 1 (default 1)' }],
    },
  }),
  setting({
    key: 'workerCount',
    label: 'the number of workers',
    required: true,
    input: (ctx) =>
      Type.Integer({
        minimum: 0,
        maximum: ctx.maxWorkers,
        description: "Spark workers; at most the server's OSHINKO_MAX_WORKERS (GET / says max-workers)",
      }),
    model: Type.Integer(),
    default: () => 1,
    parse: (value, field, ctx) => parseCount(value as string | number, field, ctx.maxWorkers),
    stored: { keys: ['workercount'] },
    onChange: 'scale',
    cli: {
      form: 'value',
      flags: [
        { flag: '--workers', arg: '<n>', help: 'number of workers (default 1, or the stored configuration)' },
      ],
    },
  }),
  sparkConfigSet('sparkMasterConfig', 'master', 'masterconfig'),
  sparkConfigSet('sparkWorkerConfig', 'workers', 'workerconfig'),
  setting({
    key: 'sparkImage',
    label: 'the image',
    required: true,
    input: () =>
      Type.String({
        maxLength: MAX_STRING,
        pattern: IMAGE_REFERENCE_PATTERN,
        [RULE_KEYWORD]: 'image' satisfies NameRule,
        description:
          'Container image (local driver: local image) for every master and worker; default: the server default',
        examples: ['docker.io/apache/spark:3.5.3'],
      }),
    alias: {
      key: 'imageUrl',
      schema: Type.String({
        maxLength: MAX_STRING,
        pattern: IMAGE_REFERENCE_PATTERN,
        [RULE_KEYWORD]: 'image' satisfies NameRule,
        description: 'Same field as sparkImage, under the design spec name; give one of the two',
      }),
    },
    model: Type.String(),
    default: (defaultImage) => defaultImage,
    parse: (value, field) => {
      assertImageReference(text(value), field);
      return text(value);
    },
    stored: {
      keys: ['sparkimage'],
      read: (raw, _key, field) => {
        if (raw.trim() === '') return undefined;
        assertImageReference(raw.trim(), field);
        return raw.trim();
      },
    },
    onChange: 'refuse',
    cli: {
      form: 'value',
      flags: [
        {
          flag: '--image',
          arg: '<ref>',
          help: 'container image for the master and workers (default: the server default)',
        },
      ],
    },
  }),
  setting({
    key: 'exposeWebUI',
    label: 'the exposure of the web UI',
    required: true,
    input: () => BooleanLike,
    model: Type.Union([Type.Literal('true'), Type.Literal('false')]),
    default: () => true,
    parse: (value, field) => parseBoolean(value as string | boolean, field),
    stored: { keys: ['exposeui'] },
    toWire: (value) => (value ? 'true' : 'false'),
    onChange: 'refuse',
    cli: {
      form: 'value',
      flags: [
        {
          flag: '--exposeui',
          arg: '<bool>',
          help: 'expose the master web UI (default true): a Route on OpenShift; on plain Kubernetes an Ingress only when the server has OSHINKO_INGRESS_DOMAIN, else nothing',
          choices: ['true', 'false'],
        },
        { flag: '--expose-ui', arg: '<bool>', help: '', choices: ['true', 'false'], sameAs: '--exposeui' },
      ],
    },
  }),
  setting({
    key: 'metrics',
    label: 'the metrics',
    required: true,
    input: () => MetricsLike,
    model: Type.String(),
    default: (): MetricsMode => 'false',
    parse: (value, field) => parseMetrics(value as string | boolean, field),
    stored: { keys: ['metrics'] },
    onChange: 'refuse',
    cli: {
      form: 'value',
      flags: [
        { flag: '--metrics', arg: '<mode>', help: 'enable metrics (default false)', choices: METRICS_MODES },
      ],
    },
  }),
  setting({
    key: 'imagePullPolicy',
    label: 'the image pull policy',
    input: () =>
      stringEnum(PULL_POLICIES, {
        [RULE_KEYWORD]: 'pull-policy' satisfies NameRule,
        description:
          'Always, IfNotPresent or Never, on every container; default as Kubernetes does (Always for :latest or no tag, else IfNotPresent). Always picks up an image rebuilt under the same tag on each new pod',
      }),
    model: Type.String({ description: 'Kubernetes driver: the pull policy the pods really have' }),
    parse: (value, field): PullPolicy => parsePullPolicy(text(value), field),
    stored: { keys: ['imagepullpolicy'], read: (raw, _key, field) => parsePullPolicy(raw.trim(), field) },
    onChange: 'refuse',
    localRefusal: 'local images are never pulled; the local driver runs the image from its own store',
    cli: {
      form: 'value',
      flags: [
        {
          flag: '--image-pull-policy',
          arg: '<policy>',
          help: 'Kubernetes: when the kubelet pulls the image (default: Always for :latest or no tag, else IfNotPresent)',
          choices: PULL_POLICIES,
        },
      ],
    },
  }),
  setting({
    key: 'runAsUser',
    label: 'the user of the containers',
    input: () =>
      Type.Union(
        [
          Type.Integer({ minimum: 1, maximum: MAX_UID, [RULE_KEYWORD]: 'run-as-user' satisfies NameRule }),
          stringEnum([IMAGE_USER] as const, { [RULE_KEYWORD]: 'run-as-user' satisfies NameRule }),
        ],
        {
          description:
            'Kubernetes driver: the pods\' UID (securityContext.runAsUser), 1 to 2147483647, or "image" for none; default: the server\'s OSHINKO_RUN_AS_USER, else 185 on Kubernetes and "image" on OpenShift',
          examples: [185],
        },
      ),
    model: Type.Union([Type.Integer(), Type.Literal('image')], {
      description: 'Kubernetes driver: the UID the pods have, or "image" when none',
    }),
    parse: (value, field): RunAsUser => parseRunAsUser(value as number | string, field),
    stored: { keys: ['runasuser'] },
    onChange: 'refuse',
    localRefusal: "the local driver runs every Spark process as the server's own user; it sets no other",
    cli: {
      form: 'value',
      flags: [
        {
          flag: '--run-as-user',
          arg: '<uid>',
          help: "Kubernetes: the UID of the Spark containers, or image for none (default: the server's, else 185; none on OpenShift)",
        },
      ],
    },
  }),
  setting({
    key: 'imagePullSecrets',
    label: 'the image pull secrets',
    input: () => PullSecretsSchema,
    model: Type.Array(Type.String()),
    parse: (value, field): readonly string[] => parseImagePullSecrets(value, field),
    stored: {
      keys: ['imagepullsecrets'],
      read: (raw, _key, field) =>
        parseImagePullSecrets(
          raw.split(/[\s,]+/).filter((secret) => secret !== ''),
          field,
        ),
    },
    toWire: (value: readonly string[]) => [...value],
    onChange: 'refuse',
    localRefusal: POD_SETTINGS_LOCAL,
    cli: {
      form: 'pull-secrets',
      flags: [
        {
          flag: '--image-pull-secret',
          arg: '<name>',
          help: "Kubernetes: a Secret to pull the image with (repeatable; default: the server's)",
          repeatable: true,
        },
      ],
    },
  }),
  podMap(
    'nodeSelector',
    'the node selector',
    parseNodeSelector,
    { rule: 'selector-key', reserved: false, labelValues: true },
    'Node labels every pod must match',
    '--node-selector',
    'Kubernetes: a node label every pod must match (repeatable)',
  ),
  setting({
    key: 'tolerations',
    label: 'the tolerations',
    input: () =>
      Type.Array(TolerationSchema, { maxItems: 64, description: 'Taints of nodes every pod tolerates' }),
    model: Type.Array(TolerationSchema),
    parse: (value, field): readonly Toleration[] => parseTolerations(value, field),
    stored: jsonStored(parseTolerations, 'tolerations'),
    toWire: (value: readonly Toleration[]) => [...value],
    onChange: 'refuse',
    localRefusal: POD_SETTINGS_LOCAL,
    cli: {
      form: 'tolerations',
      flags: [
        {
          flag: '--toleration',
          arg: '<key[=value]:effect>',
          help: 'Kubernetes: a node taint every pod tolerates, as kubectl writes taints (repeatable)',
          repeatable: true,
        },
      ],
    },
  }),
  podMap(
    'labels',
    'the labels',
    parseLabels,
    { rule: 'label-key', reserved: true, labelValues: true },
    'Labels added to every pod',
    '--label',
    'Kubernetes: a label on every pod (repeatable)',
  ),
  podMap(
    'annotations',
    'the annotations',
    parseAnnotations,
    { rule: 'annotation-key', reserved: true, labelValues: false },
    'Annotations added to every pod',
    '--annotation',
    'Kubernetes: an annotation on every pod (repeatable)',
  ),
  setting({
    key: 'env',
    label: 'the environment',
    input: () =>
      Type.Array(EnvVarSchema, {
        maxItems: 256,
        description: 'Environment of the Spark containers: plain values or keys of Secrets',
      }),
    model: Type.Array(EnvVarSchema),
    parse: (value, field): readonly EnvVar[] => parseEnv(value, field),
    stored: jsonStored(parseEnv, 'env'),
    toWire: (value: readonly EnvVar[]) => [...value],
    onChange: 'refuse',
    localRefusal: POD_SETTINGS_LOCAL,
    cli: {
      form: 'env',
      flags: [
        {
          flag: '--env',
          arg: '<name=value>',
          help: 'Kubernetes: an environment variable of the Spark containers (repeatable)',
          repeatable: true,
        },
        {
          flag: '--env-from-secret',
          arg: '<name=secret:key>',
          help: 'Kubernetes: an environment variable set from a key of a Secret (repeatable)',
          repeatable: true,
        },
      ],
    },
  }),
  roleResources('masterResources', 'master'),
  roleResources('workerResources', 'worker'),
] as const;

export type ClusterSetting = (typeof CLUSTER_SETTINGS)[number];
export type SettingKey = ClusterSetting['key'];
type ValueOf<R extends ClusterSetting> = ReturnType<R['parse']>;
type RequiredRow = Extract<ClusterSetting, { readonly required: true }>;
type OptionalRow = Exclude<ClusterSetting, { readonly required: true }>;

/** The effective configuration of a cluster, after stored configs and defaults are merged: a field per row. */
export type ClusterConfig = { readonly [R in RequiredRow as R['key']]: ValueOf<R> } & {
  readonly [R in OptionalRow as R['key']]?: ValueOf<R> | undefined;
};

/** Rows as one shape, for the code that walks the table (the typed rows are for `ClusterConfig`). */
export type AnySetting = Setting<SettingKey, unknown> & { readonly required: boolean };
export const SETTINGS: readonly AnySetting[] = CLUSTER_SETTINGS;

/** The row of a stored configuration key, by key. */
export const STORED_KEY_SETTINGS: ReadonlyMap<string, AnySetting> = new Map(
  SETTINGS.flatMap((row) => (row.stored?.keys ?? []).map((key) => [key, row] as const)),
);

/** A value as the wire and the annotation have it. */
export function wireValue(row: AnySetting, value: unknown): unknown {
  return row.toWire === undefined || value === undefined ? value : row.toWire(value);
}

/** Whether a configuration sets a row: present and, for a name, not empty. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== '';
}

/** Two values of one setting are the same when their wire forms are, whatever the order of an object's keys. */
export function sameSetting(row: AnySetting, a: unknown, b: unknown): boolean {
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
