import { memo } from 'react';
import { ClipboardCopy } from '@patternfly/react-core';
import { Td, Tr } from '@patternfly/react-table';
import type { ClusterSummary } from '../../../src/client/oshinko-client.js';
import { clusterPath, Link } from '../navigation.js';
import { IMAGE_SOURCE_TEXT } from '../shared/format.js';
import { ImageCell } from '../shared/image-cell.js';
import { StatusLabel } from '../shared/status-label.js';
import { WebUiLink } from '../shared/web-ui-link.js';
import { ClusterActions } from './cluster-actions.js';
import { COLUMNS } from './columns.js';

/** Equal when every field the row shows is equal, so a refresh that changed nothing redraws nothing. */
function sameSummary(a: ClusterSummary, b: ClusterSummary): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as (keyof ClusterSummary)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

interface RowProps {
  readonly cluster: ClusterSummary;
  readonly age: string;
  readonly onScale: (cluster: ClusterSummary) => void;
  readonly onDelete: (name: string) => void;
}

/** One cluster; re-rendered only when what it shows changed (the list answer is a new object every refresh). */
export const ClusterRow = memo(
  function ClusterRow({ cluster, age, onScale, onDelete }: RowProps) {
    return (
      <Tr data-test="cluster-row" data-name={cluster.name}>
        <Td dataLabel={COLUMNS.name}>
          <Link to={clusterPath(cluster.name)} data-test="cluster-link">
            {cluster.name}
          </Link>
        </Td>
        <Td dataLabel={COLUMNS.status}>
          <StatusLabel status={cluster.status} reason={cluster.reason} />
        </Td>
        <Td dataLabel={COLUMNS.masterUrl}>
          <ClipboardCopy
            isReadOnly
            hoverTip="Copy"
            clickTip="Copied"
            variant="inline-compact"
            copyAriaLabel={`Copy the master URL of ${cluster.name}`}
            data-test="master-url"
          >
            {cluster.masterUrl}
          </ClipboardCopy>
        </Td>
        <Td dataLabel={COLUMNS.workers} data-test="cluster-workers">
          {cluster.workersReady}/{cluster.workerCount}
        </Td>
        <Td dataLabel={COLUMNS.image}>
          <ImageCell
            image={cluster.image}
            customImage={cluster.customImage}
            truncate
            title={`${cluster.image} (${IMAGE_SOURCE_TEXT[cluster.imageSource]})`}
          />
        </Td>
        <Td dataLabel={COLUMNS.webUi}>
          <WebUiLink
            cluster={cluster}
            aria-label={`Spark web UI of ${cluster.name} (opens in a new tab)`}
            data-test="web-ui-link"
          >
            Spark UI
          </WebUiLink>
        </Td>
        <Td dataLabel={COLUMNS.age}>{age}</Td>
        <Td isActionCell>
          <ClusterActions cluster={cluster} onScale={onScale} onDelete={onDelete} />
        </Td>
      </Tr>
    );
  },
  (before, after) =>
    before.age === after.age &&
    before.onScale === after.onScale &&
    before.onDelete === after.onDelete &&
    sameSummary(before.cluster, after.cluster),
);
