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
export type NameRule = 'cluster-name' | 'config-name';

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
    name: Type.String({ maxLength: 256 }),
    value: Type.Optional(Type.String({ maxLength: MAX_STRING })),
    secretKeyRef: Type.Optional(
      Type.Object(
        { name: Type.String({ maxLength: 253 }), key: Type.String({ maxLength: 253 }) },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    title: 'EnvVar',
    description: 'A value, or a key of a Secret of the namespace',
  },
);

export const TolerationSchema = Type.Object(
  {
    key: Type.Optional(Type.String({ maxLength: 317 })),
    operator: Type.Optional(Type.String({ maxLength: 16, description: 'Equal (the default) or Exists' })),
    value: Type.Optional(Type.String({ maxLength: 63 })),
    effect: Type.Optional(
      Type.String({
        maxLength: 32,
        description: 'NoSchedule, PreferNoSchedule or NoExecute; none: every effect',
      }),
    ),
    tolerationSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'With effect NoExecute: how long the pod stays on a tainted node',
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Toleration',
    description: "A Kubernetes toleration: lets the cluster's pods run on nodes with a matching taint",
  },
);

export const PullSecretsSchema = Type.Array(Type.String({ maxLength: 253 }), {
  maxItems: 16,
  description:
    "Secrets (type kubernetes.io/dockerconfigjson) of the namespace that the kubelet pulls the image with, on every pod; default: the server's OSHINKO_IMAGE_PULL_SECRETS. Each must exist when the cluster is created",
});

/** CPU and memory of one role: Kubernetes quantities (numbers are taken as plain quantities: 2 = "2"). */
export function ResourcesInput(what: string, local: string) {
  const quantity = (example: string) =>
    Type.Optional(
      Type.Union([Type.String({ maxLength: 64 }), Type.Number()], {
        description: `a Kubernetes quantity, e.g. ${example}`,
      }),
    );
  return Type.Object(
    { cpu: quantity('"2" or "500m"'), memory: quantity('"4Gi"') },
    { description: `CPU and memory of ${what}: requests and limits (local driver: ${local})` },
  );
}

export const ResourcesModel = Type.Object(
  { cpu: Type.Optional(Type.String()), memory: Type.Optional(Type.String()) },
  { title: 'Resources', description: 'Kubernetes quantities, set as requests and limits' },
);
