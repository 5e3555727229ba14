import { Card, CardBody, CardTitle, ClipboardCopy } from '@patternfly/react-core';
import { submitWith } from '../../../src/client/format-versions.js';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { sparkSubmitLine } from '../shared/format.js';
import { useSparkHome } from './use-cluster-details.js';

/** The spark-submit line; on the local driver it names the client of the cluster's own image. */
export function SubmitCard({ cluster }: { cluster: ClusterModel }) {
  const sparkHome = useSparkHome(cluster.image);
  const advice = submitWith(cluster);
  return (
    <Card>
      <CardTitle component="h2">Submit an application</CardTitle>
      <CardBody>
        <ClipboardCopy isReadOnly isCode hoverTip="Copy" clickTip="Copied" data-test="spark-submit">
          {sparkSubmitLine(cluster.masterUrl, sparkHome)}
        </ClipboardCopy>
        <p className="pf-v6-u-mt-sm pf-v6-u-font-size-sm" data-test="submit-versions">
          {sparkHome === undefined
            ? advice === undefined
              ? 'Use a Spark client of the same version as the cluster image.'
              : `Submit with ${advice}: the versions the cluster image carries.`
            : `The client of ${cluster.image}: the same Spark, jars, Python files and configuration as the cluster.`}
        </p>
      </CardBody>
    </Card>
  );
}
