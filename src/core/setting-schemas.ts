/**
 * The JSON Schemas the cluster settings are checked against on the wire (see cluster-settings.ts); the rules
 * beyond a schema's reach are the parsers'.
 */
import { Type } from '@sinclair/typebox';
import { CONFIG_NAME_PATTERN, MAX_CONFIG_NAME_LENGTH } from './cluster-name.js';

export const MAX_STRING = 512;

/**
 * Names the domain rule a string schema states (`x-oshinko-rule`), so that the server words a refusal of it as the
 * domain words it (src/server/error-handler.ts), while the pattern and length stay in the schema for every reader.
 */
export const RULE_KEYWORD = 'x-oshinko-rule';
export type NameRule =
  | 'cluster-name'
  | 'config-name'
  | 'image'
  | 'env-name'
  | 'env-source'
  | 'secret-name'
  | 'secret-key'
  | 'label-key'
  | 'annotation-key'
  | 'selector-key'
  | 'taint-key'
  | 'label-value'
  | 'quantity'
  | 'run-as-user'
  | 'toleration'
  | 'taint-operator'
  | 'taint-effect'
  | 'pull-policy'
  | 'one-image';

/** A string of a closed set, as an `enum` (the server words a refusal by the rule it names, else "expected A or B"). */
export function stringEnum(values: readonly string[], options: Record<string, unknown> = {}) {
  return Type.Unsafe<string>({ type: 'string', enum: [...values], ...options });
}

/** The patterns of the Kubernetes names the settings carry (pod-settings.ts checks the same, with its words). */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** `[prefix/]name`: a DNS subdomain of at most 253 characters, then a name of 1 to 63. */
export const QUALIFIED_NAME_PATTERN =
  '^(?![^/]{254})([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
export const LABEL_VALUE_PATTERN = '^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$';
export const ENV_NAME_PATTERN = '^[-._a-zA-Z][-._a-zA-Z0-9]*$';
export const SECRET_KEY_PATTERN = '^[-._a-zA-Z0-9]+$';
/** The labels (and annotations) oshinko sets itself. */
export const RESERVED_KEY_PATTERN = '^(oshinko-|app\\.kubernetes\\.io/)';
/** The environment oshinko sets itself. */
export const RESERVED_ENV = [
  'POD_IP',
  'OSHINKO_SPARK_CLUSTER',
  'SPARK_NO_DAEMONIZE',
  'SPARK_MASTER_ADDRESS',
  'SPARK_MASTER_UI_ADDRESS',
] as const;
/** Kubernetes' quantity syntax (no sign). */
export const QUANTITY_PATTERN = '^(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$';
/** An image reference (image-ref.ts's grammar), or the empty string: the server default. */
export const IMAGE_REFERENCE_PATTERN =
  '^$|^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(\\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(:[0-9]+)?/)?[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*(:\\w[\\w.-]{0,127})?(@[A-Za-z][A-Za-z0-9]*([+._-][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$';

/** The keys of a map of strings on every pod: qualified names, not oshinko's own unless `reserved` is false. */
export function podMapKeys(rule: NameRule, reserved: boolean) {
  return {
    type: 'string',
    maxLength: 317,
    pattern: QUALIFIED_NAME_PATTERN,
    ...(reserved ? { not: { pattern: RESERVED_KEY_PATTERN } } : {}),
    [RULE_KEYWORD]: rule,
  };
}

export const BooleanLike = Type.Union([
  Type.Boolean(),
  Type.Union([Type.Literal('true'), Type.Literal('false')]),
]);
export const MetricsLike = Type.Union([
  Type.Boolean(),
  Type.Union([
    Type.Literal('true'),
    Type.Literal('false'),
    Type.Literal('jolokia'),
    Type.Literal('prometheus'),
  ]),
]);

export const configName = (description: string) =>
  Type.String({
    maxLength: MAX_CONFIG_NAME_LENGTH,
    pattern: CONFIG_NAME_PATTERN,
    description: `${description}: a DNS-1123 subdomain, or empty for none`,
    [RULE_KEYWORD]: 'config-name' satisfies NameRule,
  });

export const EnvVarSchema = Type.Object(
  {
    name: Type.String({
      maxLength: 256,
      pattern: ENV_NAME_PATTERN,
      not: { enum: [...RESERVED_ENV] },
      [RULE_KEYWORD]: 'env-name' satisfies NameRule,
    }),
    value: Type.Optional(Type.String({ maxLength: MAX_STRING })),
    secretKeyRef: Type.Optional(
      Type.Object(
        {
          name: Type.String({
            maxLength: 253,
            pattern: DNS_SUBDOMAIN_PATTERN,
            [RULE_KEYWORD]: 'secret-name' satisfies NameRule,
          }),
          key: Type.String({
            maxLength: 253,
            pattern: SECRET_KEY_PATTERN,
            [RULE_KEYWORD]: 'secret-key' satisfies NameRule,
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    oneOf: [
      { required: ['value'], [RULE_KEYWORD]: 'env-source' satisfies NameRule },
      { required: ['secretKeyRef'], [RULE_KEYWORD]: 'env-source' satisfies NameRule },
    ],
    [RULE_KEYWORD]: 'env-source' satisfies NameRule,
    title: 'EnvVar',
    description: 'A value, or a key of a Secret of the namespace',
  },
);

/** One of `branches` holds; each names the rule, so that a refusal is worded as the parser words it. */
function tolerationRule(branches: readonly Record<string, unknown>[]) {
  return {
    anyOf: branches.map((branch) => ({ ...branch, [RULE_KEYWORD]: 'toleration' satisfies NameRule })),
  };
}

export const TolerationSchema = Type.Object(
  {
    key: Type.Optional(
      Type.String({
        maxLength: 317,
        pattern: QUALIFIED_NAME_PATTERN,
        [RULE_KEYWORD]: 'taint-key' satisfies NameRule,
      }),
    ),
    operator: Type.Optional(
      stringEnum(['Equal', 'Exists'] as const, {
        description: 'Equal (the default) or Exists',
        [RULE_KEYWORD]: 'taint-operator' satisfies NameRule,
      }),
    ),
    value: Type.Optional(
      Type.String({
        maxLength: 63,
        pattern: LABEL_VALUE_PATTERN,
        [RULE_KEYWORD]: 'label-value' satisfies NameRule,
      }),
    ),
    effect: Type.Optional(
      stringEnum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const, {
        description: 'NoSchedule, PreferNoSchedule or NoExecute; none: every effect',
        [RULE_KEYWORD]: 'taint-effect' satisfies NameRule,
      }),
    ),
    tolerationSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'With effect NoExecute: how long the pod stays on a tainted node',
      }),
    ),
  },
  {
    additionalProperties: false,
    // Kubernetes' rules between the fields: no key, operator Exists; Exists, no value; tolerationSeconds, NoExecute.
    allOf: [
      tolerationRule([
        { required: ['key'] },
        { required: ['operator'], properties: { operator: { enum: ['Exists'] } } },
      ]),
      tolerationRule([
        { not: { required: ['operator'] } },
        { properties: { operator: { enum: ['Equal'] } } },
        { not: { required: ['value'] } },
        { properties: { value: { enum: [''] } } },
      ]),
      tolerationRule([
        { not: { required: ['tolerationSeconds'] } },
        { required: ['effect'], properties: { effect: { enum: ['NoExecute'] } } },
      ]),
    ],
    title: 'Toleration',
    description: "A Kubernetes toleration: lets the cluster's pods run on nodes with a matching taint",
  },
);

export const PullSecretsSchema = Type.Array(
  Type.String({
    maxLength: 253,
    pattern: DNS_SUBDOMAIN_PATTERN,
    [RULE_KEYWORD]: 'secret-name' satisfies NameRule,
  }),
  {
    maxItems: 16,
    uniqueItems: true,
    description:
      "Secrets (type kubernetes.io/dockerconfigjson) of the namespace that the kubelet pulls the image with, on every pod; default: the server's OSHINKO_IMAGE_PULL_SECRETS. Each must exist when the cluster is created",
  },
);

/** CPU and memory of one role: Kubernetes quantities (numbers are taken as plain quantities: 2 = "2"). */
export function ResourcesInput(what: string, local: string) {
  const quantity = (example: string) =>
    Type.Optional(
      Type.Union(
        [
          Type.String({
            maxLength: 64,
            pattern: QUANTITY_PATTERN,
            [RULE_KEYWORD]: 'quantity' satisfies NameRule,
          }),
          Type.Number({ not: { maximum: 0 } }),
        ],
        {
          description: `a Kubernetes quantity above zero, e.g. ${example}`,
        },
      ),
    );
  return Type.Object(
    { cpu: quantity('"2" or "500m"'), memory: quantity('"4Gi"') },
    {
      additionalProperties: false,
      description: `CPU and memory of ${what}: requests and limits (local driver: ${local})`,
    },
  );
}

export const ResourcesModel = Type.Object(
  { cpu: Type.Optional(Type.String()), memory: Type.Optional(Type.String()) },
  { title: 'Resources', description: 'Kubernetes quantities, set as requests and limits' },
);
