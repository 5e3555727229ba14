/**
 * The wire contract. Each schema here is at once the request validator, the TypeScript type (via `Static`), the
 * source of the OpenAPI document and the type of the typed client used by the CLI and the console.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_MASTERS } from '../core/cluster-config.js';
import {
  CLUSTER_NAME_PATTERN,
  CONFIG_NAME_PATTERN,
  MAX_CLUSTER_NAME_LENGTH,
  MAX_CONFIG_NAME_LENGTH,
} from '../core/cluster-name.js';
import { ERROR_CODES } from '../core/errors.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const MAX_STRING = 512;
/**
 * The router refuses a longer path segment before any route sees it. As long as Node's whole request head (16 KiB),
 * so every segment Node lets through reaches the route's schema, whose refusal names the field (a 400).
 */
export const MAX_PATH_PARAM_LENGTH = 16 * 1024;

export const ErrorItem = Type.Object(
  {
    status: Type.Integer(),
    title: Type.String(),
    details: Type.String(),
    field: Type.Optional(
      Type.String({ description: 'The request field the error is about, e.g. config.sparkImage' }),
    ),
    code: Type.Optional(
      Type.Union(
        ERROR_CODES.map((code) => Type.Literal(code)),
        {
          description:
            'What kind of error, stable across versions: tells apart errors of one status (a 422 "limit" from a 422 "unprocessable"). Not sent by upstream servers.',
        },
      ),
    ),
  },
  { title: 'ErrorItem' },
);
export const ErrorBody = Type.Object({ errors: Type.Array(ErrorItem) }, { title: 'ErrorBody' });
export type ErrorBody = Static<typeof ErrorBody>;

const BooleanLike = Type.Union([Type.Boolean(), Type.Union([Type.Literal('true'), Type.Literal('false')])]);
const MetricsLike = Type.Union([
  Type.Boolean(),
  Type.Union([
    Type.Literal('true'),
    Type.Literal('false'),
    Type.Literal('jolokia'),
    Type.Literal('prometheus'),
  ]),
]);

/**
 * Names the domain rule a string schema states (`x-oshinko-rule`), so that the server words a refusal of it as the
 * domain words it (src/server/error-handler.ts), while the pattern and length stay in the schema for every reader.
 */
export const RULE_KEYWORD = 'x-oshinko-rule';
export type NameRule = 'cluster-name' | 'config-name';

export const ClusterName = Type.String({
  minLength: 1,
  maxLength: MAX_CLUSTER_NAME_LENGTH,
  pattern: CLUSTER_NAME_PATTERN,
  description:
    "Cluster name: a DNS-1035 label, short enough for every object name derived from it to fit Kubernetes' 63 characters",
  [RULE_KEYWORD]: 'cluster-name' satisfies NameRule,
});

const configName = (description: string) =>
  Type.String({
    maxLength: MAX_CONFIG_NAME_LENGTH,
    pattern: CONFIG_NAME_PATTERN,
    description: `${description}: a DNS-1123 subdomain, or empty for none`,
    [RULE_KEYWORD]: 'config-name' satisfies NameRule,
  });

/** The request's `config`; the most workers a cluster may have is the server's (OSHINKO_MAX_WORKERS). */
const EnvVarSchema = Type.Object(
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

const TolerationSchema = Type.Object(
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

const PullSecretsSchema = Type.Array(Type.String({ maxLength: 253 }), {
  maxItems: 16,
  description:
    "Secrets (type kubernetes.io/dockerconfigjson) of the namespace that the kubelet pulls the image with, on every pod; default: the server's OSHINKO_IMAGE_PULL_SECRETS. Each must exist when the cluster is created",
});

/** CPU and memory of one role: Kubernetes quantities (numbers are taken as plain quantities: 2 = "2"). */
function ResourcesInput(what: string, local: string) {
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

export function clusterConfigInput(maxWorkers: number) {
  return Type.Object(
    {
      name: Type.Optional(configName('A stored cluster configuration to start from')),
      masterCount: Type.Optional(
        Type.Integer({ minimum: 0, maximum: MAX_MASTERS, description: 'Spark masters: 0 or 1' }),
      ),
      workerCount: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: maxWorkers,
          description: "Spark workers; at most the server's OSHINKO_MAX_WORKERS (GET / says max-workers)",
        }),
      ),
      sparkMasterConfig: Type.Optional(
        configName(
          'ConfigMap with Spark config files for the master (Kubernetes; the local driver refuses it)',
        ),
      ),
      sparkWorkerConfig: Type.Optional(
        configName(
          'ConfigMap with Spark config files for the workers (Kubernetes; the local driver refuses it)',
        ),
      ),
      sparkImage: Type.Optional(
        Type.String({
          maxLength: MAX_STRING,
          description:
            'Container image (local driver: local image) for every master and worker; default: the server default',
          examples: ['docker.io/apache/spark:3.5.3'],
        }),
      ),
      imageUrl: Type.Optional(
        Type.String({
          maxLength: MAX_STRING,
          description: 'Same field as sparkImage, under the design spec name',
        }),
      ),
      exposeWebUI: Type.Optional(BooleanLike),
      metrics: Type.Optional(MetricsLike),
      imagePullPolicy: Type.Optional(
        Type.String({
          maxLength: 32,
          description:
            'Always, IfNotPresent or Never, on every container; default as Kubernetes does (Always for :latest or no tag, else IfNotPresent). Always picks up an image rebuilt under the same tag on each new pod',
        }),
      ),
      runAsUser: Type.Optional(
        Type.Union([Type.Integer(), Type.String({ maxLength: 16 })], {
          description:
            'Kubernetes driver: the pods\' UID (securityContext.runAsUser), 1 to 2147483647, or "image" for none; default: the server\'s OSHINKO_RUN_AS_USER, else 185 on Kubernetes and "image" on OpenShift',
          examples: [185],
        }),
      ),
      imagePullSecrets: Type.Optional(PullSecretsSchema),
      nodeSelector: Type.Optional(
        Type.Record(Type.String(), Type.String(), { description: 'Node labels every pod must match' }),
      ),
      tolerations: Type.Optional(
        Type.Array(TolerationSchema, {
          maxItems: 64,
          description: 'Taints of nodes every pod tolerates',
        }),
      ),
      labels: Type.Optional(
        Type.Record(Type.String(), Type.String(), { description: 'Labels added to every pod' }),
      ),
      annotations: Type.Optional(
        Type.Record(Type.String(), Type.String(), { description: 'Annotations added to every pod' }),
      ),
      env: Type.Optional(
        Type.Array(EnvVarSchema, {
          maxItems: 256,
          description: 'Environment of the Spark containers: plain values or keys of Secrets',
        }),
      ),
      masterResources: Type.Optional(
        ResourcesInput('the master', 'the memory sets its heap, the CPU is accepted but not enforced'),
      ),
      workerResources: Type.Optional(
        ResourcesInput(
          'each worker, which it offers its master',
          'the offer alone, nothing limits a process',
        ),
      ),
    },
    { additionalProperties: false, title: 'ClusterConfigInput' },
  );
}

/** The request to create (POST) or scale (PUT) a cluster, for a server allowing `maxWorkers` workers. */
export function newCluster(maxWorkers: number) {
  return Type.Object(
    { name: ClusterName, config: Type.Optional(clusterConfigInput(maxWorkers)) },
    { additionalProperties: false, title: 'NewCluster' },
  );
}
export type ClusterConfigInput = Static<ReturnType<typeof clusterConfigInput>>;
export type NewCluster = Static<ReturnType<typeof newCluster>>;

const ResourcesModel = Type.Object(
  { cpu: Type.Optional(Type.String()), memory: Type.Optional(Type.String()) },
  { title: 'Resources', description: 'Kubernetes quantities, set as requests and limits' },
);

export const ClusterConfigModel = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'The stored configuration the cluster started from' })),
    masterCount: Type.Integer(),
    workerCount: Type.Integer(),
    sparkMasterConfig: Type.String(),
    sparkWorkerConfig: Type.String(),
    sparkImage: Type.String(),
    exposeWebUI: Type.Union([Type.Literal('true'), Type.Literal('false')]),
    metrics: Type.String(),
    imagePullPolicy: Type.Optional(
      Type.String({ description: 'Kubernetes driver: the pull policy the pods really have' }),
    ),
    runAsUser: Type.Optional(
      Type.Union([Type.Integer(), Type.Literal('image')], {
        description: 'Kubernetes driver: the UID the pods have, or "image" when none',
      }),
    ),
    masterResources: Type.Optional(ResourcesModel),
    workerResources: Type.Optional(ResourcesModel),
    imagePullSecrets: Type.Optional(Type.Array(Type.String())),
    nodeSelector: Type.Optional(Type.Record(Type.String(), Type.String())),
    tolerations: Type.Optional(Type.Array(TolerationSchema)),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
    env: Type.Optional(Type.Array(EnvVarSchema)),
  },
  { title: 'ClusterConfigModel' },
);

export const ReplicaCount = Type.Object(
  { desired: Type.Integer(), ready: Type.Integer() },
  { title: 'ReplicaCount' },
);

export const ClusterStatus = Type.Union(
  [
    'Creating',
    'Running',
    'Recovering',
    'Scaling',
    'Degraded',
    'Incomplete',
    'Stopped',
    'Deleting',
    'Lost',
  ].map((s) => Type.Literal(s)),
  { title: 'ClusterStatus' },
);

export const Pod = Type.Object(
  {
    name: Type.String(),
    ip: Type.String(),
    type: Type.Union([Type.Literal('master'), Type.Literal('worker')]),
    status: Type.String(),
    ready: Type.Boolean(),
    image: Type.String({ description: 'The image this pod really runs' }),
    restarts: Type.Integer(),
    reason: Type.Optional(Type.String()),
    pid: Type.Optional(Type.Integer()),
  },
  { title: 'Pod' },
);

export const ClusterEvent = Type.Object(
  {
    time: Type.String(),
    type: Type.Union([Type.Literal('Normal'), Type.Literal('Warning')]),
    reason: Type.String(),
    message: Type.String(),
    object: Type.Optional(Type.String()),
  },
  { title: 'ClusterEvent' },
);

const ImageSource = Type.Union([
  Type.Literal('request'),
  Type.Literal('stored-config'),
  Type.Literal('default'),
]);

export const ClusterModel = Type.Object(
  {
    name: Type.String(),
    href: Type.String(),
    status: ClusterStatus,
    reason: Type.Optional(Type.String()),
    config: ClusterConfigModel,
    image: Type.String({ description: 'The effective image of the cluster' }),
    customImage: Type.Boolean({ description: 'True when the image is not the server default' }),
    imageSource: ImageSource,
    sparkVersion: Type.Optional(Type.String({ description: "The image's Spark, once its check passed" })),
    scalaVersion: Type.Optional(Type.String({ description: 'The Scala of that Spark' })),
    javaVersion: Type.Optional(Type.String({ description: 'The Java that Spark runs on' })),
    pythonVersion: Type.Optional(Type.String({ description: "The image's python3; absent without one" })),
    masterUrl: Type.String(),
    masterWebUrl: Type.String(),
    masterWebRoute: Type.Optional(Type.String()),
    masters: ReplicaCount,
    workers: ReplicaCount,
    pods: Type.Array(Pod),
    events: Type.Optional(Type.Array(ClusterEvent)),
    createdAt: Type.String(),
  },
  { title: 'ClusterModel' },
);
export type ClusterModel = Static<typeof ClusterModel>;

export const ClusterSummary = Type.Object(
  {
    name: Type.String(),
    href: Type.String(),
    status: ClusterStatus,
    reason: Type.Optional(Type.String()),
    masterCount: Type.Integer(),
    workerCount: Type.Integer(),
    workersReady: Type.Integer(),
    masterUrl: Type.String(),
    masterWebUrl: Type.String(),
    masterWebRoute: Type.Optional(Type.String()),
    image: Type.String(),
    customImage: Type.Boolean(),
    imageSource: ImageSource,
    createdAt: Type.String(),
  },
  { title: 'ClusterSummary' },
);
export type ClusterSummary = Static<typeof ClusterSummary>;

export const ClusterResponse = Type.Object({ cluster: ClusterModel }, { title: 'ClusterResponse' });
export type ClusterResponse = Static<typeof ClusterResponse>;
export const ClusterList = Type.Object({ clusters: Type.Array(ClusterSummary) }, { title: 'ClusterList' });
export type ClusterList = Static<typeof ClusterList>;

export const ServerInfo = Type.Object(
  {
    application: Type.Object({
      name: Type.String(),
      version: Type.String(),
      'web-url': Type.String(),
      'web-service-name': Type.String(),
      'default-cluster-image': Type.String(),
      driver: Type.Union([Type.Literal('kubernetes'), Type.Literal('local')]),
      'custom-images': Type.Union([
        Type.Literal('allowed'),
        Type.Literal('restricted'),
        Type.Literal('disabled'),
      ]),
      'allowed-images': Type.Array(Type.String()),
      'max-workers': Type.Integer(),
      'max-clusters': Type.Integer(),
      details: Type.Record(Type.String(), Type.String()),
    }),
  },
  { title: 'ServerInfo' },
);
export type ServerInfo = Static<typeof ServerInfo>;

export const LocalImageModel = Type.Object(
  {
    ref: Type.String(),
    base: Nullable(Type.String()),
    sparkHome: Type.String(),
    sparkVersion: Nullable(Type.String()),
    createdAt: Type.String(),
    isDefault: Type.Boolean(),
    jars: Type.Array(Type.String()),
    pyFiles: Type.Array(Type.String()),
    conf: Type.Record(Type.String(), Type.String()),
    env: Type.Record(Type.String(), Type.String()),
    usedBy: Type.Array(Type.String()),
  },
  { title: 'LocalImage' },
);
export const ImageList = Type.Object({ images: Type.Array(LocalImageModel) }, { title: 'ImageList' });
export type ImageList = Static<typeof ImageList>;

/** A boolean query parameter, spelled as upstream's: `true` or `false`. */
const QueryBoolean = (options: { description: string }) =>
  Type.Unsafe<'true' | 'false'>({ type: 'string', enum: ['true', 'false'], ...options });

export const ClusterNameParams = Type.Object({ name: ClusterName }, { additionalProperties: false });
export const LogsQuery = Type.Object(
  {
    pod: Type.Optional(
      Type.String({ maxLength: 253, description: 'Pod or process name; the master when omitted' }),
    ),
    tail: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,6}$', description: 'Number of last lines (default 500)' }),
    ),
    container: Type.Optional(
      Type.Unsafe<'spark' | 'image-check'>({
        type: 'string',
        enum: ['spark', 'image-check'],
        description:
          'The container: `spark` (the default) or `image-check`, the init container of a master pod that checks the image (Kubernetes only; the local driver has only `spark`)',
      }),
    ),
    previous: Type.Optional(
      QueryBoolean({
        description:
          "`true`: the log of the container's previous instance, before its last restart (Kubernetes only: the local driver keeps one log per process, each restart marked in it)",
      }),
    ),
    follow: Type.Optional(
      QueryBoolean({
        description:
          '`true`: the answer streams the log as it grows (its last `tail` lines first), until the pod or process ends or the client closes the connection; the request deadline does not cut it',
      }),
    ),
  },
  { additionalProperties: false },
);
