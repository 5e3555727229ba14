import { Card, CardBody, CardTitle, ClipboardCopy, DescriptionList } from '@patternfly/react-core';
import { formatAge } from '../../../src/client/format-age.js';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { webUiUrl } from '../shared/format.js';
import { WebUiLink } from '../shared/web-ui-link.js';
import { ImageTerms } from './image-terms.js';
import { Term } from './term.js';

/** Status reason, master URL, web UI, ready counts, the image and its origin, the age. */
export function OverviewCard({ cluster, readAt }: { cluster: ClusterModel; readAt: number }) {
  return (
    <Card isFullHeight>
      <CardTitle component="h2">Overview</CardTitle>
      <CardBody>
        <DescriptionList isCompact>
          {cluster.reason !== undefined && <Term term="Status reason">{cluster.reason}</Term>}
          <Term term="Master URL">
            <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" data-test="details-master-url">
              {cluster.masterUrl}
            </ClipboardCopy>
          </Term>
          <Term term="Spark web UI">
            <WebUiLink cluster={cluster} data-test="details-web-ui">
              {webUiUrl(cluster)}
            </WebUiLink>
          </Term>
          <Term term="Workers ready" test="details-workers">
            {cluster.workers.ready}/{cluster.workers.desired}
          </Term>
          <Term term="Masters ready">
            {cluster.masters.ready}/{cluster.masters.desired}
          </Term>
          <ImageTerms cluster={cluster} />
          <Term term="Created">
            {new Date(cluster.createdAt).toLocaleString()} ({formatAge(cluster.createdAt, readAt)} ago)
          </Term>
        </DescriptionList>
      </CardBody>
    </Card>
  );
}
