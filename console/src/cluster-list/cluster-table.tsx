import { Table, Tbody, Th, Thead, Tr } from '@patternfly/react-table';
import { formatAge } from '../../../src/client/format-age.js';
import type { ClusterSummary } from '../../../src/client/oshinko-client.js';
import { ClusterRow } from './cluster-row.js';
import { COLUMNS } from './columns.js';
import { NoMatchRow } from './no-match-row.js';
import type { FilteredPages } from './use-filtered-pages.js';

interface ClusterTableProps {
  /** How many clusters there are, before the filter. */
  readonly total: number;
  readonly view: FilteredPages<ClusterSummary>;
  readonly readAt: number;
  readonly onScale: (cluster: ClusterSummary) => void;
  readonly onDelete: (name: string) => void;
}

/** The clusters of the shown page, one row each (stacked cards below 992 px). */
export function ClusterTable({ total, view, readAt, onScale, onDelete }: ClusterTableProps) {
  return (
    <Table
      aria-label="Spark clusters"
      variant="compact"
      gridBreakPoint="grid-lg"
      data-test="cluster-table"
      data-total={total}
      data-matching={view.matching?.length ?? 0}
    >
      <Thead>
        <Tr>
          {Object.values(COLUMNS).map((title) => (
            <Th key={title}>{title}</Th>
          ))}
          <Th screenReaderText="Actions" />
        </Tr>
      </Thead>
      <Tbody>
        {view.shown.map((cluster) => (
          <ClusterRow
            key={cluster.name}
            cluster={cluster}
            age={formatAge(cluster.createdAt, readAt)}
            onScale={onScale}
            onDelete={onDelete}
          />
        ))}
        {view.shown.length === 0 && (
          <NoMatchRow
            filter={view.filter}
            onClear={() => {
              view.setFilter('');
            }}
          />
        )}
      </Tbody>
    </Table>
  );
}
