import { Alert, Bullseye, Grid, GridItem, PageSection, Spinner } from '@patternfly/react-core';
import { ClusterActionDialog } from '../shared/cluster-action-dialog.js';
import { errorMessage } from '../shared/format.js';
import { ConfigCard } from './config-card.js';
import { DetailsHeader } from './details-header.js';
import { EventsCard } from './events-card.js';
import { LogsCard } from './logs-card.js';
import { OverviewCard } from './overview-card.js';
import { PodsCard } from './pods-card.js';
import { SubmitCard } from './submit-card.js';
import { useClusterDetails } from './use-cluster-details.js';

export const DETAILS_REFRESH_MS = 3000;

/** The page of one cluster (`/ui/clusters/<name>`): its cards, refreshed every few seconds. */
export function ClusterDetailsPage({
  name,
  refreshMs = DETAILS_REFRESH_MS,
}: {
  name: string;
  refreshMs?: number;
}) {
  const details = useClusterDetails(name, refreshMs);
  const { cluster, error } = details;
  const header = (
    <DetailsHeader name={name} cluster={cluster} onScale={details.scale} onDelete={details.remove} />
  );

  if (cluster === undefined) {
    return (
      <>
        {details.toasts}
        {header}
        <PageSection>
          {error === undefined ? (
            <Bullseye>
              <Spinner aria-label="Loading the cluster" />
            </Bullseye>
          ) : (
            <Alert variant="danger" isInline title={`Cannot show cluster ${name}`} data-test="details-error">
              {errorMessage(error)}
            </Alert>
          )}
        </PageSection>
      </>
    );
  }

  return (
    <>
      {details.toasts}
      {header}
      <PageSection>
        {error !== undefined && (
          <Alert variant="warning" isInline title="Cannot refresh the cluster" className="pf-v6-u-mb-md">
            {errorMessage(error)}
          </Alert>
        )}
        <Grid hasGutter>
          <GridItem lg={6}>
            <OverviewCard cluster={cluster} readAt={details.readAt} />
          </GridItem>
          <GridItem lg={6}>
            <ConfigCard config={cluster.config} />
          </GridItem>
          <GridItem span={12}>
            <SubmitCard cluster={cluster} />
          </GridItem>
          <GridItem span={12}>
            <PodsCard pods={cluster.pods} />
          </GridItem>
          {cluster.events !== undefined && cluster.events.length > 0 && (
            <GridItem span={12}>
              <EventsCard events={cluster.events} />
            </GridItem>
          )}
          <GridItem span={12}>
            <LogsCard cluster={cluster} />
          </GridItem>
        </Grid>
      </PageSection>
      <ClusterActionDialog
        action={details.action}
        onClose={details.closeDialog}
        onScaled={details.onScaled}
        onDeleted={details.onDeleted}
      />
    </>
  );
}
