import { EmptyState, EmptyStateActions, EmptyStateBody, EmptyStateFooter } from '@patternfly/react-core';
import { CubesIcon } from '@patternfly/react-icons';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { DeployClusterButton } from './deploy-cluster-button.js';

/** With no cluster at all: what a cluster is for, and the way to deploy one. */
export function NoClusters({ onDeployed }: { onDeployed: (cluster: ClusterModel) => void }) {
  return (
    <EmptyState titleText="No Spark clusters yet" headingLevel="h2" icon={CubesIcon} data-test="empty-state">
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
}
