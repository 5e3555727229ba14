/**
 * The wire contract. Each schema here is at once the request validator, the TypeScript type (via `Static`), the
 * source of the OpenAPI document and the type of the typed client used by the CLI and the console.
 */
import { Type, type Static, type TOptional, type TSchema, type TString } from '@sinclair/typebox';
import { SETTINGS, type ClusterSetting } from '../core/cluster-settings.js';
import { configName, MAX_STRING, RULE_KEYWORD, type NameRule } from '../core/setting-schemas.js';
import { CLUSTER_NAME_PATTERN, MAX_CLUSTER_NAME_LENGTH } from '../core/cluster-name.js';
import { ERROR_CODES } from '../core/errors.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export { MAX_STRING, RULE_KEYWORD, type NameRule };
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

export const ClusterName = Type.String({
  minLength: 1,
  maxLength: MAX_CLUSTER_NAME_LENGTH,
  pattern: CLUSTER_NAME_PATTERN,
  description:
    "Cluster name: a DNS-1035 label, short enough for every object name derived from it to fit Kubernetes' 63 characters",
  [RULE_KEYWORD]: 'cluster-name' satisfies NameRule,
});

/** The request's `config`: a stored configuration to start from and a field per setting of the table. */
export function clusterConfigInput(maxWorkers: number) {
  const fields: Record<string, TSchema> = {
    name: Type.Optional(configName('A stored cluster configuration to start from')),
  };
  for (const row of SETTINGS) {
    fields[row.key] = Type.Optional(row.input({ maxWorkers }));
    if (row.alias !== undefined) fields[row.alias.key] = Type.Optional(row.alias.schema);
  }
  return Type.Object(fields as ConfigInputFields, {
    additionalProperties: false,
    title: 'ClusterConfigInput',
    // imageUrl is sparkImage under another name: one of the two.
    not: { required: ['sparkImage', 'imageUrl'] },
    [RULE_KEYWORD]: 'one-image' satisfies NameRule,
  });
}

/** The types of the fields `clusterConfigInput` makes from the table, for `Static`. */
type ConfigInputFields = { name: TOptional<ReturnType<typeof configName>>; imageUrl: TOptional<TString> } & {
  [R in ClusterSetting as R['key']]: TOptional<ReturnType<R['input']>>;
};
type ConfigModelFields = { name: TOptional<TString> } & {
  [R in ClusterSetting as R['key']]: R['required'] extends true ? R['model'] : TOptional<R['model']>;
};

/** The request to create (POST) or scale (PUT) a cluster, for a server allowing `maxWorkers` workers. */
export function newCluster(maxWorkers: number) {
  return Type.Object(
    { name: ClusterName, config: Type.Optional(clusterConfigInput(maxWorkers)) },
    { additionalProperties: false, title: 'NewCluster' },
  );
}
export type ClusterConfigInput = Static<ReturnType<typeof clusterConfigInput>>;
export type NewCluster = Static<ReturnType<typeof newCluster>>;

/** A cluster's effective `config`: the stored configuration it started from and a field per setting. */
export const ClusterConfigModel = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'The stored configuration the cluster started from' })),
    ...Object.fromEntries(
      SETTINGS.map((row) => [row.key, row.required ? row.model : Type.Optional(row.model)] as const),
    ),
  } as ConfigModelFields,
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
