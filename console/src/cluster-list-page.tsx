import { useCallback, useState } from 'react';
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
  Spinner,
  Title,
} from '@patternfly/react-core';
import { ActionsColumn, Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { CubesIcon, EllipsisVIcon, ExternalLinkAltIcon, PlusCircleIcon } from '@patternfly/react-icons';
import type { ClusterSummary } from '../../src/client/oshinko-client.js';
import { useApi } from './api-context.js';
import { DeleteClusterModal } from './delete-cluster-modal.js';
import { DeployClusterModal } from './deploy-cluster-modal.js';
import { errorMessage, formatAge, IMAGE_SOURCE_TEXT, webUiUrl } from './format.js';
import { clusterPath, Link } from './navigation.js';
import { ScaleClusterModal } from './scale-cluster-modal.js';
import { ImageCell } from './image-cell.js';
import { StatusLabel } from './status-label.js';
import { useToasts } from './toasts.js';
import { usePolling } from './use-polling.js';

export const LIST_REFRESH_MS = 3000;

const COLUMNS = {
  name: 'Name',
  status: 'Status',
  masterUrl: 'Master URL',
  workers: 'Workers',
  image: 'Image',
  webUi: 'Web UI',
  age: 'Age',
} as const;

export function ClusterListPage({ refreshMs = LIST_REFRESH_MS }: { refreshMs?: number }) {
  const { client } = useApi();
  const load = useCallback(async () => ({ clusters: await client.listClusters(), at: Date.now() }), [client]);
  const { data, error, loading, refresh } = usePolling(load, refreshMs);
  const [deploying, setDeploying] = useState(false);
  const [scaling, setScaling] = useState<ClusterSummary | undefined>(undefined);
  const [deleting, setDeleting] = useState<string | undefined>(undefined);
  const [toasts, notify] = useToasts();
  const clusters = data?.clusters;

  const deployButton = (
    <Button
      variant="primary"
      icon={<PlusCircleIcon />}
      onClick={() => {
        setDeploying(true);
      }}
      data-test="deploy-button"
    >
      Deploy cluster
    </Button>
  );

  let body: React.ReactNode;
  if (clusters === undefined) {
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
          <EmptyStateActions>{deployButton}</EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else {
    const now = data?.at ?? 0;
    body = (
      <Table aria-label="Spark clusters" variant="compact" gridBreakPoint="grid-lg" data-test="cluster-table">
        <Thead>
          <Tr>
            {Object.values(COLUMNS).map((title) => (
              <Th key={title}>{title}</Th>
            ))}
            <Th screenReaderText="Actions" />
          </Tr>
        </Thead>
        <Tbody>
          {clusters.map((cluster) => (
            <Tr key={cluster.name} data-test="cluster-row" data-name={cluster.name}>
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
              <Td dataLabel={COLUMNS.age}>{formatAge(cluster.createdAt, now)}</Td>
              <Td isActionCell>
                <ActionsColumn
                  items={[
                    {
                      title: 'Scale',
                      onClick: () => {
                        setScaling(cluster);
                      },
                    },
                    {
                      title: 'Delete',
                      onClick: () => {
                        setDeleting(cluster.name);
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
          ))}
        </Tbody>
      </Table>
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
          {clusters !== undefined && clusters.length > 0 && <FlexItem>{deployButton}</FlexItem>}
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
      <DeployClusterModal
        isOpen={deploying}
        onClose={() => {
          setDeploying(false);
        }}
        onDeployed={(cluster) => {
          setDeploying(false);
          notify('success', `Cluster ${cluster.name} deployed`);
          void refresh();
        }}
      />
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
