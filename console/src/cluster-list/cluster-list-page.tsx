import { Alert, Bullseye, Flex, FlexItem, PageSection, Spinner, Title } from '@patternfly/react-core';
import { ClusterActionDialog } from '../shared/cluster-action-dialog.js';
import { errorMessage } from '../shared/format.js';
import { ClusterPagination } from './cluster-pagination.js';
import { ClusterTable } from './cluster-table.js';
import { ClusterToolbar } from './cluster-toolbar.js';
import { DeployClusterButton } from './deploy-cluster-button.js';
import { NoClusters } from './no-clusters.js';
import { useClusterList } from './use-cluster-list.js';

export const LIST_REFRESH_MS = 3000;

/** The cluster list (`/`): the clusters a page at a time, refreshed every few seconds, and the deploy button. */
export function ClusterListPage({ refreshMs = LIST_REFRESH_MS }: { refreshMs?: number }) {
  const list = useClusterList(refreshMs);
  const { clusters, view } = list;
  const { matching } = view;

  return (
    <>
      {list.toasts}
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
              <DeployClusterButton onDeployed={list.onDeployed} />
            </FlexItem>
          )}
        </Flex>
      </PageSection>
      <PageSection>
        {list.error !== undefined && (
          <Alert variant="warning" isInline title="Cannot refresh the clusters" data-test="list-error">
            {errorMessage(list.error)}
          </Alert>
        )}
        {clusters === undefined || matching === undefined ? (
          list.loading ? (
            <Bullseye>
              <Spinner aria-label="Loading clusters" />
            </Bullseye>
          ) : null
        ) : clusters.length === 0 ? (
          <NoClusters onDeployed={list.onDeployed} />
        ) : (
          <>
            <ClusterToolbar view={view} />
            <ClusterTable
              total={clusters.length}
              view={view}
              readAt={list.readAt}
              onScale={list.scale}
              onDelete={list.remove}
            />
            <ClusterPagination variant="bottom" view={view} />
          </>
        )}
      </PageSection>
      <ClusterActionDialog
        action={list.action}
        onClose={list.closeDialog}
        onScaled={list.onScaled}
        onDeleted={list.onDeleted}
      />
    </>
  );
}
