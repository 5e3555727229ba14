/**
 * The one table of cluster settings: a row per field of a cluster's `config`, with its wire schemas, its stored
 * configuration keys, its parser, what a change to a running cluster does, the drivers that support it and its CLI
 * flags. The request and response schemas, the stored configurations, the merge, `PUT`'s checks, the `oshinko-config`
 * annotation, the local driver's refusals and the CLI's flags are all derived from it (docs/architecture.md, "Adding
 * a setting"). Pure.
 */
import { Type } from '@sinclair/typebox';
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
import {
  BooleanLike,
  EnvVarSchema,
  IMAGE_REFERENCE_PATTERN,
  MAX_STRING,
  RULE_KEYWORD,
  stringEnum,
  type NameRule,
  MetricsLike,
  PullSecretsSchema,
  TolerationSchema,
} from './setting-schemas.js';
import {
  assertImageReference,
  IMAGE_USER,
  MAX_MASTERS,
  MAX_UID,
  parseBoolean,
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
import { setting, text, type Setting } from './setting.js';
import { jsonStored, podMap, POD_SETTINGS_LOCAL, roleResources, sparkConfigSet } from './setting-kinds.js';

export type { CliFlag, CliForm, ParseContext, Setting } from './setting.js';
export { isSet, sameSetting, wireValue } from './setting.js';

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
