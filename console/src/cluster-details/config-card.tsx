import { Card, CardBody, CardTitle, DescriptionList } from '@patternfly/react-core';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { Term } from './term.js';

/** The configuration the cluster runs with, after the stored configuration and the defaults applied. */
export function ConfigCard({ config }: { config: ClusterModel['config'] }) {
  return (
    <Card isFullHeight>
      <CardTitle component="h2">Effective configuration</CardTitle>
      <CardBody>
        <DescriptionList isCompact isHorizontal data-test="details-config">
          <Term term="Stored configuration">{config.name ?? '(none)'}</Term>
          <Term term="Masters">{config.masterCount}</Term>
          <Term term="Workers">{config.workerCount}</Term>
          <Term term="Spark image">{config.sparkImage}</Term>
          <Term term="Master Spark config">{config.sparkMasterConfig || '(none)'}</Term>
          <Term term="Worker Spark config">{config.sparkWorkerConfig || '(none)'}</Term>
          <Term term="Web UI exposed">{config.exposeWebUI === 'true' ? 'yes' : 'no'}</Term>
          <Term term="Metrics">{config.metrics}</Term>
        </DescriptionList>
      </CardBody>
    </Card>
  );
}
