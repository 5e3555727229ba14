import { Option, type Command } from 'commander';
import type { NewCluster } from '../../client/oshinko-client.js';
import { connect, connectionFlags } from '../connection.js';
import { clusterDetails, connectHint } from '../format.js';
import { PULL_POLICIES } from '../../core/cluster.js';
import { parsePullPolicy, parseRunAsUser } from '../../core/cluster-config.js';
import { InvalidInputError } from '../../core/errors.js';
import {
  collect,
  parseClusterName,
  parseConfigName,
  parseCount,
  parseDuration,
  parseEnvFlags,
  parseImage,
  parseKeyValueFlags,
  parsePullSecretFlags,
  parseRoleResources,
  parseTolerationFlags,
} from '../flags.js';
import type { CliIo, Schedule } from '../io.js';
import {
  CLUSTER_OUTPUTS,
  clusterRef,
  forPrograms,
  noHeadersOption,
  outputOption,
  printForPrograms,
  type Output,
} from '../output.js';
import { waitForCluster } from '../wait.js';

/** The largest worker count the CLI sends; the server applies its own, usually lower, limit. */
export const MAX_WORKERS_FLAG = 10_000;

interface CreateFlags {
  workers?: string;
  masters?: string;
  image?: string;
  storedconfig?: string;
  masterconfig?: string;
  workerconfig?: string;
  exposeui?: 'true' | 'false';
  /** The kebab-case spellings of the four upstream flags above. */
  storedConfig?: string;
  masterConfig?: string;
  workerConfig?: string;
  exposeUi?: 'true' | 'false';
  metrics?: 'true' | 'false' | 'jolokia' | 'prometheus';
  imagePullPolicy?: string;
  runAsUser?: string;
  masterCpu?: string;
  masterMemory?: string;
  workerCpu?: string;
  workerMemory?: string;
  /** The repeatable flags: commander starts each with [] in `registerCreate`; tests may leave them out. */
  imagePullSecret?: string[];
  nodeSelector?: string[];
  toleration?: string[];
  label?: string[];
  annotation?: string[];
  env?: string[];
  envFromSecret?: string[];
  wait?: boolean;
  timeout: string;
  interval: string;
  output?: Output;
  headers?: boolean;
}

/** The upstream flags spelled run together, each with its kebab-case spelling; either may be given, not both. */
const SPELLINGS = {
  storedconfig: { kebab: 'storedConfig', flags: ['--storedconfig', '--stored-config'] },
  masterconfig: { kebab: 'masterConfig', flags: ['--masterconfig', '--master-config'] },
  workerconfig: { kebab: 'workerConfig', flags: ['--workerconfig', '--worker-config'] },
  exposeui: { kebab: 'exposeUi', flags: ['--exposeui', '--expose-ui'] },
} as const;

/** The value of an upstream flag under either spelling, with the flag as the user spelled it. */
function spelledFlag(
  flags: CreateFlags,
  upstream: keyof typeof SPELLINGS,
): { value: string; flag: string } | undefined {
  const { kebab: kebabKey, flags: names } = SPELLINGS[upstream];
  const [upstreamFlag, kebabFlag] = names;
  const runTogether = flags[upstream];
  const kebab = flags[kebabKey];
  if (runTogether !== undefined && kebab !== undefined) {
    throw new InvalidInputError(`give ${upstreamFlag} or ${kebabFlag}, not both: they are one flag`, {
      field: kebabFlag,
    });
  }
  if (runTogether !== undefined) return { value: runTogether, flag: upstreamFlag };
  return kebab === undefined ? undefined : { value: kebab, flag: kebabFlag };
}

/** Turns validated flags into the upstream NewCluster request; unset flags are left to the server. */
export function newClusterRequest(name: string, flags: CreateFlags): NewCluster {
  const config: NonNullable<NewCluster['config']> = {};
  const stored = spelledFlag(flags, 'storedconfig');
  if (stored !== undefined) config.name = parseConfigName(stored.value, stored.flag);
  if (flags.masters !== undefined) config.masterCount = parseCount(flags.masters, '--masters', 1);
  if (flags.workers !== undefined)
    config.workerCount = parseCount(flags.workers, '--workers', MAX_WORKERS_FLAG);
  const masterConfig = spelledFlag(flags, 'masterconfig');
  if (masterConfig !== undefined) {
    config.sparkMasterConfig = parseConfigName(masterConfig.value, masterConfig.flag);
  }
  const workerConfig = spelledFlag(flags, 'workerconfig');
  if (workerConfig !== undefined) {
    config.sparkWorkerConfig = parseConfigName(workerConfig.value, workerConfig.flag);
  }
  if (flags.image !== undefined) config.sparkImage = parseImage(flags.image, '--image');
  const exposeUi = spelledFlag(flags, 'exposeui');
  if (exposeUi !== undefined) config.exposeWebUI = exposeUi.value as 'true' | 'false';
  if (flags.metrics !== undefined) config.metrics = flags.metrics;
  Object.assign(config, podSettingsRequest(flags));
  return Object.keys(config).length === 0
    ? { name: parseClusterName(name) }
    : { name: parseClusterName(name), config };
}

/**
 * The Kubernetes pod settings among the flags, under the request's field names, each checked by the server's own rules
 * so that a typo is refused here, naming the flag, before anything is sent.
 */
function podSettingsRequest(flags: CreateFlags): Partial<NonNullable<NewCluster['config']>> {
  const config: Partial<NonNullable<NewCluster['config']>> = {};
  if (flags.imagePullPolicy !== undefined) {
    config.imagePullPolicy = parsePullPolicy(flags.imagePullPolicy, '--image-pull-policy');
  }
  if (flags.runAsUser !== undefined) config.runAsUser = parseRunAsUser(flags.runAsUser, '--run-as-user');
  const masterResources = parseRoleResources('master', flags.masterCpu, flags.masterMemory);
  if (masterResources !== undefined) config.masterResources = masterResources;
  const workerResources = parseRoleResources('worker', flags.workerCpu, flags.workerMemory);
  if (workerResources !== undefined) config.workerResources = workerResources;
  const imagePullSecrets = parsePullSecretFlags(flags.imagePullSecret ?? []);
  if (imagePullSecrets !== undefined) config.imagePullSecrets = imagePullSecrets;
  const nodeSelector = parseKeyValueFlags(flags.nodeSelector ?? [], 'nodeSelector');
  if (nodeSelector !== undefined) config.nodeSelector = nodeSelector;
  const tolerations = parseTolerationFlags(flags.toleration ?? []);
  if (tolerations !== undefined) config.tolerations = tolerations;
  const labels = parseKeyValueFlags(flags.label ?? [], 'labels');
  if (labels !== undefined) config.labels = labels;
  const annotations = parseKeyValueFlags(flags.annotation ?? [], 'annotations');
  if (annotations !== undefined) config.annotations = annotations;
  const env = parseEnvFlags(flags.env ?? [], flags.envFromSecret ?? []);
  if (env !== undefined) config.env = env;
  return config;
}

export function registerCreate(program: Command, io: CliIo, run: Schedule): void {
  program
    .command('create')
    .description('Create a Spark cluster (one master, N workers), optionally with its own image')
    .argument('<name>', 'cluster name: lowercase letters, digits and "-", starting with a letter')
    .option('--workers <n>', 'number of workers (default 1, or the stored configuration)')
    .option('--masters <n>', 'number of masters, 0 or 1 (default 1)')
    .option('--image <ref>', 'container image for the master and workers (default: the server default)')
    .option('--storedconfig <name>', 'stored cluster configuration to start from')
    .option('--stored-config <name>', 'the same as --storedconfig')
    .option(
      '--masterconfig <name>',
      'Kubernetes: ConfigMap with Spark config files for the master (the local driver refuses it: use `oshinko image build --conf`)',
    )
    .option('--master-config <name>', 'the same as --masterconfig')
    .option(
      '--workerconfig <name>',
      'Kubernetes: ConfigMap with Spark config files for the workers (the local driver refuses it)',
    )
    .option('--worker-config <name>', 'the same as --workerconfig')
    .addOption(
      new Option(
        '--exposeui <bool>',
        'expose the master web UI (default true): a Route on OpenShift; on plain Kubernetes an Ingress only when the server has OSHINKO_INGRESS_DOMAIN, else nothing',
      ).choices(['true', 'false']),
    )
    .addOption(new Option('--expose-ui <bool>', 'the same as --exposeui').choices(['true', 'false']))
    .addOption(
      new Option('--metrics <mode>', 'enable metrics (default false)').choices([
        'true',
        'false',
        'jolokia',
        'prometheus',
      ]),
    )
    .addOption(
      new Option(
        '--image-pull-policy <policy>',
        'Kubernetes: when the kubelet pulls the image (default: Always for :latest or no tag, else IfNotPresent)',
      ).choices(PULL_POLICIES),
    )
    .option(
      '--run-as-user <uid>',
      "Kubernetes: the UID of the Spark containers, or image for none (default: the server's, else 185; none on OpenShift)",
    )
    .option(
      '--master-cpu <quantity>',
      'CPU of the master, request and limit (e.g. 1, 500m; local driver: not enforced)',
    )
    .option(
      '--master-memory <quantity>',
      'memory of the master, request and limit (e.g. 2Gi); its heap is 3/4 of it',
    )
    .option('--worker-cpu <quantity>', 'CPU of each worker, which it offers its master (e.g. 2)')
    .option(
      '--worker-memory <quantity>',
      'memory of each worker; it offers what its daemon leaves (e.g. 4Gi)',
    )
    .option(
      '--image-pull-secret <name>',
      "Kubernetes: a Secret to pull the image with (repeatable; default: the server's)",
      collect,
      [],
    )
    .option(
      '--node-selector <key=value>',
      'Kubernetes: a node label every pod must match (repeatable)',
      collect,
      [],
    )
    .option(
      '--toleration <key[=value]:effect>',
      'Kubernetes: a node taint every pod tolerates, as kubectl writes taints (repeatable)',
      collect,
      [],
    )
    .option('--label <key=value>', 'Kubernetes: a label on every pod (repeatable)', collect, [])
    .option('--annotation <key=value>', 'Kubernetes: an annotation on every pod (repeatable)', collect, [])
    .option(
      '--env <name=value>',
      'Kubernetes: an environment variable of the Spark containers (repeatable)',
      collect,
      [],
    )
    .option(
      '--env-from-secret <name=secret:key>',
      'Kubernetes: an environment variable set from a key of a Secret (repeatable)',
      collect,
      [],
    )
    .option('--wait', 'wait until the master and every worker are ready, showing progress')
    .option('--timeout <duration>', 'with --wait: how long to wait', '5m')
    .option('--interval <duration>', 'with --wait: how often to ask the server', '1s')
    .addOption(outputOption(CLUSTER_OUTPUTS))
    .addOption(noHeadersOption())
    .addHelpText(
      'after',
      `
Examples:
  oshinko create spark1
  oshinko create spark1 --workers 3 --wait
  oshinko create etl --image quay.io/my-team/spark:3.5.3-py311 --workers 2 --wait --timeout 10m
  oshinko create small --storedconfig small-clusters --exposeui false
  oshinko create small --stored-config small-clusters --expose-ui false   # the same
  oshinko create spark1 --wait -o jsonpath='{.masterUrl}'
  oshinko create big --worker-cpu 2 --worker-memory 4Gi --node-selector disktype=ssd \\
    --toleration dedicated=spark:NoSchedule --image-pull-secret regcred \\
    --env MODE=fast --env-from-secret TOKEN=creds:token --image-pull-policy Always`,
    )
    .action((name: string, flags: CreateFlags, command: Command) => {
      run(async () => {
        const request = newClusterRequest(name, flags);
        const timeoutMs = parseDuration(flags.timeout, '--timeout');
        const intervalMs = parseDuration(flags.interval, '--interval');
        const output = flags.output ?? { kind: 'table' };
        const { client } = connect(connectionFlags(command), io);
        const created = await client.createCluster(request);
        if (forPrograms(output)) {
          // Standard output is the cluster alone; the progress of --wait goes to standard error.
          const cluster =
            flags.wait === true
              ? await waitForCluster(
                  client,
                  created.name,
                  { ...io, stdout: io.stderr },
                  { timeoutMs, intervalMs },
                )
              : created;
          io.stdout.write(printForPrograms(output, { value: cluster, names: [clusterRef(cluster.name)] }));
          return 0;
        }
        io.stdout.write(
          `cluster "${created.name}" created with image ${created.image}${created.customImage ? ' (custom)' : ''}\n`,
        );
        if (flags.wait !== true) {
          io.stdout.write(
            clusterDetails(created, Date.now(), true, {
              wide: output.kind === 'wide',
              headers: flags.headers,
            }),
          );
          io.stdout.write(`\nFollow it with: oshinko get ${created.name}\n`);
          return 0;
        }
        const ready = await waitForCluster(client, created.name, io, { timeoutMs, intervalMs });
        io.stdout.write(`cluster "${ready.name}" is ready\n\n${connectHint(ready)}`);
        return 0;
      });
    });
}
