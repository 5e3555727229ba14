import { memo, useCallback, useMemo, useState } from 'react';
import {
  Alert,
  Bullseye,
  Button,
  ClipboardCopy,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Flex,
  FlexItem,
  MenuToggle,
  PageSection,
  Pagination,
  PaginationVariant,
  SearchInput,
  Spinner,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { ActionsColumn, Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import {
  CubesIcon,
  EllipsisVIcon,
  ExternalLinkAltIcon,
  PlusCircleIcon,
  SearchIcon,
} from '@patternfly/react-icons';
import { formatAge } from '../../src/client/format-age.js';
import type { ClusterModel, ClusterSummary } from '../../src/client/oshinko-client.js';
import { useApi } from './api-context.js';
import { DeleteClusterModal } from './shared/delete-cluster-modal.js';
import { DeployClusterModal } from './deploy-cluster/deploy-cluster-modal.js';
import { errorMessage, IMAGE_SOURCE_TEXT, webUiUrl } from './shared/format.js';
import { clusterPath, Link } from './navigation.js';
import { ScaleClusterModal } from './shared/scale-cluster-modal.js';
import { ImageCell } from './shared/image-cell.js';
import { StatusLabel } from './shared/status-label.js';
import { useToasts } from './shared/toasts.js';
import { usePolling } from './shared/use-polling.js';

export const LIST_REFRESH_MS = 3000;
export const PER_PAGE_DEFAULT = 20;
export const PER_PAGE_CHOICES = [10, 20, 50, 100] as const;

const COLUMNS = {
  name: 'Name',
  status: 'Status',
  masterUrl: 'Master URL',
  workers: 'Workers',
  image: 'Image',
  webUi: 'Web UI',
  age: 'Age',
} as const;

const PER_PAGE_OPTIONS = PER_PAGE_CHOICES.map((value) => ({ title: String(value), value }));

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
const ClusterRow = memo(
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
          <Button
            variant="link"
            isInline
            component="a"
            href={webUiUrl(cluster)}
            target="_blank"
            rel="noopener noreferrer"
            icon={<ExternalLinkAltIcon />}
            iconPosition="end"
            aria-label={`Spark web UI of ${cluster.name} (opens in a new tab)`}
            data-test="web-ui-link"
          >
            Spark UI
          </Button>
        </Td>
        <Td dataLabel={COLUMNS.age}>{age}</Td>
        <Td isActionCell>
          <ActionsColumn
            items={[
              {
                title: 'Scale',
                onClick: () => {
                  onScale(cluster);
                },
              },
              {
                title: 'Delete',
                onClick: () => {
                  onDelete(cluster.name);
                },
              },
            ]}
            actionsToggle={({ onToggle, isOpen, toggleRef, isDisabled }) => (
              <MenuToggle
                ref={toggleRef}
                variant="plain"
                onClick={onToggle}
                isExpanded={isOpen}
                isDisabled={isDisabled}
                aria-label={`Actions for ${cluster.name}`}
                icon={<EllipsisVIcon />}
                data-test="cluster-actions"
              />
            )}
          />
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

/**
 * The "Deploy cluster" button with its own dialog: opening, typing into and closing the dialog re-render this
 * component alone, never the list.
 */
const DeployClusterButton = memo(function DeployClusterButton({
  onDeployed,
}: {
  onDeployed: (cluster: ClusterModel) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="primary"
        icon={<PlusCircleIcon />}
        onClick={() => {
          setOpen(true);
        }}
        data-test="deploy-button"
      >
        Deploy cluster
      </Button>
      <DeployClusterModal
        isOpen={open}
        onClose={() => {
          setOpen(false);
        }}
        onDeployed={(cluster) => {
          setOpen(false);
          onDeployed(cluster);
        }}
      />
    </>
  );
});

export function ClusterListPage({ refreshMs = LIST_REFRESH_MS }: { refreshMs?: number }) {
  const { client } = useApi();
  const load = useCallback(async () => ({ clusters: await client.listClusters(), at: Date.now() }), [client]);
  const { data, error, loading, refresh } = usePolling(load, refreshMs);
  const [scaling, setScaling] = useState<ClusterSummary | undefined>(undefined);
  const [deleting, setDeleting] = useState<string | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(PER_PAGE_DEFAULT);
  const [toasts, notify] = useToasts();
  const clusters = data?.clusters;

  const onDeployed = useCallback(
    (cluster: ClusterModel) => {
      notify('success', `Cluster ${cluster.name} deployed`);
      void refresh();
    },
    [notify, refresh],
  );

  const matching = useMemo(() => {
    const wanted = filter.trim().toLowerCase();
    if (clusters === undefined || wanted === '') return clusters;
    return clusters.filter((cluster) => cluster.name.toLowerCase().includes(wanted));
  }, [clusters, filter]);

  // Keeps the page within range when clusters disappear (deleted here or elsewhere) or the filter narrows.
  const lastPage = Math.max(1, Math.ceil((matching?.length ?? 0) / perPage));
  if (matching !== undefined && page > lastPage) setPage(lastPage);
  const shownPage = Math.min(page, lastPage);

  const pagination = (variant: 'top' | 'bottom') => (
    <Pagination
      itemCount={matching?.length ?? 0}
      page={shownPage}
      perPage={perPage}
      perPageOptions={PER_PAGE_OPTIONS}
      onSetPage={(_event, next) => {
        setPage(next);
      }}
      onPerPageSelect={(_event, next, nextPage) => {
        setPerPage(next);
        setPage(nextPage);
      }}
      variant={variant === 'top' ? PaginationVariant.top : PaginationVariant.bottom}
      isCompact={variant === 'top'}
      widgetId={`cluster-pagination-${variant}`}
      titles={{ paginationAriaLabel: `Cluster list pages (${variant})` }}
      data-test={`cluster-pagination-${variant}`}
    />
  );

  let body: React.ReactNode;
  if (clusters === undefined || matching === undefined) {
    body = loading ? (
      <Bullseye>
        <Spinner aria-label="Loading clusters" />
      </Bullseye>
    ) : null;
  } else if (clusters.length === 0) {
    body = (
      <EmptyState
        titleText="No Spark clusters yet"
        headingLevel="h2"
        icon={CubesIcon}
        data-test="empty-state"
      >
        <EmptyStateBody>
          Deploy a cluster (one master and the workers you ask for) to run Spark applications on it.
        </EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>
            <DeployClusterButton onDeployed={onDeployed} />
          </EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else {
    const now = data?.at ?? 0;
    const shown = matching.slice((shownPage - 1) * perPage, shownPage * perPage);
    body = (
      <>
        <Toolbar data-test="cluster-toolbar">
          <ToolbarContent>
            <ToolbarItem>
              <SearchInput
                placeholder="Filter by name"
                aria-label="Filter clusters by name"
                value={filter}
                onChange={(_event, value) => {
                  setFilter(value);
                  setPage(1);
                }}
                onClear={() => {
                  setFilter('');
                  setPage(1);
                }}
                data-test="cluster-filter"
              />
            </ToolbarItem>
            <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
              {pagination('top')}
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        <Table
          aria-label="Spark clusters"
          variant="compact"
          gridBreakPoint="grid-lg"
          data-test="cluster-table"
          data-total={clusters.length}
          data-matching={matching.length}
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
            {shown.map((cluster) => (
              <ClusterRow
                key={cluster.name}
                cluster={cluster}
                age={formatAge(cluster.createdAt, now)}
                onScale={setScaling}
                onDelete={setDeleting}
              />
            ))}
            {shown.length === 0 && (
              <Tr>
                <Td colSpan={Object.keys(COLUMNS).length + 1}>
                  <EmptyState
                    titleText="No cluster matches the filter"
                    headingLevel="h2"
                    icon={SearchIcon}
                    variant="sm"
                    data-test="no-match"
                  >
                    <EmptyStateBody>No cluster name contains “{filter.trim()}”.</EmptyStateBody>
                    <EmptyStateFooter>
                      <EmptyStateActions>
                        <Button
                          variant="link"
                          onClick={() => {
                            setFilter('');
                            setPage(1);
                          }}
                        >
                          Clear the filter
                        </Button>
                      </EmptyStateActions>
                    </EmptyStateFooter>
                  </EmptyState>
                </Td>
              </Tr>
            )}
          </Tbody>
        </Table>
        {pagination('bottom')}
      </>
    );
  }

  return (
    <>
      {toasts}
      <PageSection>
        <Flex
          justifyContent={{ default: 'justifyContentSpaceBetween' }}
          alignItems={{ default: 'alignItemsCenter' }}
        >
          <FlexItem>
            <Title headingLevel="h1">Spark clusters</Title>
          </FlexItem>
          {clusters !== undefined && clusters.length > 0 && (
            <FlexItem>
              <DeployClusterButton onDeployed={onDeployed} />
            </FlexItem>
          )}
        </Flex>
      </PageSection>
      <PageSection>
        {error !== undefined && (
          <Alert variant="warning" isInline title="Cannot refresh the clusters" data-test="list-error">
            {errorMessage(error)}
          </Alert>
        )}
        {body}
      </PageSection>
      {scaling !== undefined && (
        <ScaleClusterModal
          name={scaling.name}
          workerCount={scaling.workerCount}
          onClose={() => {
            setScaling(undefined);
          }}
          onScaled={(cluster) => {
            setScaling(undefined);
            notify('success', `Cluster ${cluster.name} scaled to ${cluster.config.workerCount} workers`);
            void refresh();
          }}
        />
      )}
      {deleting !== undefined && (
        <DeleteClusterModal
          name={deleting}
          onClose={() => {
            setDeleting(undefined);
          }}
          onDeleted={(name) => {
            setDeleting(undefined);
            notify('success', `Cluster ${name} deleted`);
            void refresh();
          }}
        />
      )}
    </>
  );
}
