import { Card, CardBody, CardTitle, Label } from '@patternfly/react-core';
import { CheckCircleIcon, TimesCircleIcon } from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';

type Pod = ClusterModel['pods'][number];

function PodRow({ pod }: { pod: Pod }) {
  return (
    <Tr data-test="pod-row">
      <Td dataLabel="Name">{pod.name}</Td>
      <Td dataLabel="Type">{pod.type}</Td>
      <Td dataLabel="Status">
        {pod.status}
        {pod.reason !== undefined && ` (${pod.reason})`}
      </Td>
      <Td dataLabel="Ready">
        {pod.ready ? (
          <Label color="green" isCompact icon={<CheckCircleIcon />}>
            ready
          </Label>
        ) : (
          <Label color="grey" isCompact icon={<TimesCircleIcon />}>
            not ready
          </Label>
        )}
      </Td>
      <Td dataLabel="Image" data-test="pod-image">
        {pod.image}
      </Td>
      <Td dataLabel="IP">{pod.ip || '-'}</Td>
      <Td dataLabel="Restarts">{pod.restarts}</Td>
    </Tr>
  );
}

/** The cluster's pods (local driver: processes): type, status, ready, image, IP, restarts. */
export function PodsCard({ pods }: { pods: readonly Pod[] }) {
  return (
    <Card>
      <CardTitle component="h2">Pods</CardTitle>
      <CardBody>
        <Table aria-label="Pods" variant="compact" gridBreakPoint="grid-lg" data-test="pod-table">
          <Thead>
            <Tr>
              <Th>Name</Th>
              <Th>Type</Th>
              <Th>Status</Th>
              <Th>Ready</Th>
              <Th>Image</Th>
              <Th>IP</Th>
              <Th>Restarts</Th>
            </Tr>
          </Thead>
          <Tbody>
            {pods.map((pod) => (
              <PodRow key={pod.name} pod={pod} />
            ))}
          </Tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
