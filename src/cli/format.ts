import { formatAge } from '../client/format-age.js';
import { formatVersions, submitWith } from '../client/format-versions.js';
import type { ClusterModel, ClusterSummary } from '../client/oshinko-client.js';
import { formatEnvVar, formatPairs, formatResources, formatToleration } from '../client/pod-settings-text.js';

/** Pure text rendering of clusters for the terminal. */

export const CUSTOM_MARKER = '(custom)';

/** The image as shown in tables; a custom image is marked so that it is seen at a glance. */
export function imageLabel(image: string, customImage: boolean): string {
  return customImage ? `${image} ${CUSTOM_MARKER}` : image;
}

/** How a table is printed: `wide` adds columns (`-o wide`), `headers: false` leaves out the header (`--no-headers`). */
export interface TableOptions {
  readonly wide?: boolean | undefined;
  readonly headers?: boolean | undefined;
}

function alignedLine(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
    .join('   ')
    .trimEnd();
}

/** Left-aligned columns separated by three spaces, as kubectl prints them. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: Pick<TableOptions, 'headers'> = {},
): string {
  const shown = options.headers === false ? rows : [headers, ...rows];
  const widths = headers.map((_, column) => Math.max(...shown.map((row) => (row[column] ?? '').length)));
  return shown.length === 0 ? '' : shown.map((row) => alignedLine(row, widths)).join('\n') + '\n';
}

/**
 * A table printed a row at a time, as `get --watch` prints it: each row is aligned with those printed before it,
 * and a column only ever widens.
 */
export class TableWriter {
  private widths: number[];

  constructor(private readonly headers: readonly string[]) {
    this.widths = headers.map((header) => header.length);
  }

  /** The lines of these rows, the header first when `withHeader`. */
  lines(rows: readonly (readonly string[])[], withHeader: boolean): string {
    const shown = withHeader ? [this.headers, ...rows] : rows;
    this.widths = this.widths.map((width, column) =>
      Math.max(width, ...shown.map((row) => (row[column] ?? '').length)),
    );
    return shown.map((row) => `${alignedLine(row, this.widths)}\n`).join('');
  }
}

const CLUSTER_HEADERS = ['NAME', 'STATUS', 'WORKERS', 'IMAGE', 'MASTER URL', 'AGE'] as const;
const WIDE_CLUSTER_HEADERS = [
  'NAME',
  'STATUS',
  'WORKERS',
  'MASTERS',
  'IMAGE',
  'IMAGE SOURCE',
  'MASTER URL',
  'WEB UI',
  'AGE',
  'REASON',
] as const;

export function clusterHeaders(wide: boolean | undefined): readonly string[] {
  return wide === true ? WIDE_CLUSTER_HEADERS : CLUSTER_HEADERS;
}

/** One cluster's row of `oshinko get`; `-o wide` adds its masters, image source, web UI and status reason. */
export function clusterRow(cluster: ClusterSummary, now: number, wide: boolean | undefined): string[] {
  const workers = `${cluster.workersReady}/${cluster.workerCount}`;
  const image = imageLabel(cluster.image, cluster.customImage);
  const age = formatAge(cluster.createdAt, now);
  if (wide !== true) return [cluster.name, cluster.status, workers, image, cluster.masterUrl, age];
  return [
    cluster.name,
    cluster.status,
    workers,
    String(cluster.masterCount),
    image,
    cluster.imageSource,
    cluster.masterUrl,
    cluster.masterWebRoute ?? cluster.masterWebUrl,
    age,
    cluster.reason ?? '',
  ];
}

export function clusterTable(
  clusters: readonly ClusterSummary[],
  now: number,
  options: TableOptions = {},
): string {
  return renderTable(
    clusterHeaders(options.wide),
    clusters.map((cluster) => clusterRow(cluster, now, options.wide)),
    options,
  );
}

/** The list entry of a cluster, from the full cluster that `get NAME`, `create` and `scale` receive. */
export function summaryOf(cluster: ClusterModel): ClusterSummary {
  return {
    name: cluster.name,
    href: cluster.href,
    status: cluster.status,
    ...(cluster.reason === undefined ? {} : { reason: cluster.reason }),
    masterCount: cluster.masters.desired,
    workerCount: cluster.workers.desired,
    workersReady: cluster.workers.ready,
    masterUrl: cluster.masterUrl,
    masterWebUrl: cluster.masterWebUrl,
    ...(cluster.masterWebRoute === undefined ? {} : { masterWebRoute: cluster.masterWebRoute }),
    image: cluster.image,
    customImage: cluster.customImage,
    imageSource: cluster.imageSource,
    createdAt: cluster.createdAt,
  };
}

type ClusterEvent = NonNullable<ClusterModel['events']>[number];

/** The events of a cluster as `kubectl describe` prints them; `<none>` when there are none. */
export function eventsSection(events: readonly ClusterEvent[] | undefined, now: number): string {
  if (events === undefined || events.length === 0) return 'Events:  <none>\n';
  const headers = ['Type', 'Reason', 'Age', 'From', 'Message'];
  const rows = events.map((event) => [
    event.type,
    event.reason,
    formatAge(event.time, now),
    event.object ?? '-',
    event.message,
  ]);
  const rules = headers.map((header) => '-'.repeat(header.length));
  const table = renderTable(headers, [rules, ...rows]);
  return `Events:\n${table
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n`;
}

const IMAGE_SOURCE: Record<ClusterModel['imageSource'], string> = {
  request: 'given at creation',
  'stored-config': 'from the stored configuration',
  default: 'the server default',
};

type ClusterConfig = ClusterModel['config'];

/** The Kubernetes pod settings a cluster was created with, only those it has, as `create` flags name them. */
export function podSettingFacts(config: ClusterConfig): [string, string][] {
  const facts: [string, string][] = [];
  if (config.imagePullPolicy !== undefined) facts.push(['Pull policy', config.imagePullPolicy]);
  if (config.runAsUser !== undefined) {
    facts.push([
      'Runs as',
      config.runAsUser === 'image'
        ? "the image's user (or the platform's)"
        : `UID ${String(config.runAsUser)}`,
    ]);
  }
  if (config.masterResources !== undefined) {
    facts.push(['Master resources', formatResources(config.masterResources)]);
  }
  if (config.workerResources !== undefined) {
    facts.push(['Worker resources', formatResources(config.workerResources)]);
  }
  if (config.imagePullSecrets !== undefined) {
    const secrets = config.imagePullSecrets;
    facts.push(['Pull secrets', secrets.length === 0 ? '(none)' : secrets.join(', ')]);
  }
  if (config.nodeSelector !== undefined) {
    facts.push(['Node selector', formatPairs(config.nodeSelector).join(', ')]);
  }
  if (config.tolerations !== undefined) {
    facts.push(['Tolerations', config.tolerations.map(formatToleration).join(', ')]);
  }
  if (config.labels !== undefined) facts.push(['Labels', formatPairs(config.labels).join(', ')]);
  if (config.annotations !== undefined)
    facts.push(['Annotations', formatPairs(config.annotations).join(', ')]);
  if (config.env !== undefined) facts.push(['Env', config.env.map(formatEnvVar).join(', ')]);
  return facts.filter(([, value]) => value !== '');
}

/**
 * One cluster: its table row, the facts a table has no room for, then its pods unless `nopods`, then its events
 * when `events` (as `get NAME` shows them; `create` does not, its cluster has none yet).
 */
export function clusterDetails(
  cluster: ClusterModel,
  now: number,
  nopods: boolean,
  options: TableOptions & { readonly events?: boolean } = {},
): string {
  const summary = clusterTable([summaryOf(cluster)], now, options);
  const facts: [string, string][] = [];
  const versions = formatVersions(cluster);
  if (cluster.reason !== undefined) facts.push(['Reason', cluster.reason]);
  facts.push(
    ['Image', `${imageLabel(cluster.image, cluster.customImage)}, ${IMAGE_SOURCE[cluster.imageSource]}`],
    ...(versions === undefined ? [] : [['Versions', versions] as [string, string]]),
    ['Masters', `${cluster.masters.ready}/${cluster.masters.desired} ready`],
    ['Workers', `${cluster.workers.ready}/${cluster.workers.desired} ready`],
    ['Web UI', cluster.masterWebUrl],
  );
  if (cluster.masterWebRoute !== undefined && cluster.masterWebRoute !== '') {
    facts.push(['Route', cluster.masterWebRoute]);
  }
  if (cluster.config.name !== undefined) facts.push(['Stored config', cluster.config.name]);
  facts.push(...podSettingFacts(cluster.config));
  const width = Math.max(...facts.map(([key]) => key.length)) + 2;
  let text = `${summary}\n${facts.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}`).join('\n')}\n`;
  if (!nopods) {
    text +=
      cluster.pods.length === 0
        ? '\nNo pods.\n'
        : '\n' +
          renderTable(
            ['POD', 'TYPE', 'STATUS', 'READY', 'RESTARTS', 'IP', 'IMAGE'],
            cluster.pods.map((pod) => [
              pod.name,
              pod.type,
              pod.reason === undefined ? pod.status : `${pod.status} (${pod.reason})`,
              pod.ready ? 'yes' : 'no',
              String(pod.restarts),
              pod.ip === '' ? '-' : pod.ip,
              pod.image,
            ]),
            options,
          );
  }
  if (options.events === true) text += `\n${eventsSection(cluster.events, now)}`;
  return text;
}

/** What to print once a cluster is up: where its master is and how to submit to it. */
export function connectHint(cluster: ClusterModel): string {
  const lines = [
    `Spark master: ${cluster.masterUrl}`,
    `Web UI:       ${cluster.masterWebRoute ?? cluster.masterWebUrl}`,
    '',
    'Submit an application (from a machine or pod that can reach the master):',
    `  spark-submit --master ${cluster.masterUrl} --deploy-mode client your_app.py`,
  ];
  const versions = formatVersions(cluster);
  const advice = submitWith(cluster);
  if (versions !== undefined && advice !== undefined) {
    lines.push(
      '',
      `The cluster runs ${versions}: submit with ${advice},`,
      `or with oshinko submit ${cluster.name} your_app.py, which checks the versions first.`,
    );
  } else if (cluster.customImage) {
    lines.push(
      '',
      `The cluster runs the custom image ${cluster.image}: submit with the same Spark and Python versions.`,
    );
  }
  return lines.join('\n') + '\n';
}
