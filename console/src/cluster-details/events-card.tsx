import { Card, CardBody, CardTitle, Label } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';

type ClusterEvent = NonNullable<ClusterModel['events']>[number];

/** Shown: the newest events, newest first. */
const SHOWN_EVENTS = 20;

/** Recent events of the cluster's objects, where the driver has them (Kubernetes). */
export function EventsCard({ events }: { events: readonly ClusterEvent[] }) {
  return (
    <Card>
      <CardTitle component="h2">Events</CardTitle>
      <CardBody>
        <Table aria-label="Events" variant="compact" gridBreakPoint="grid-lg" data-test="event-table">
          <Thead>
            <Tr>
              <Th>Time</Th>
              <Th>Type</Th>
              <Th>Reason</Th>
              <Th>Object</Th>
              <Th>Message</Th>
            </Tr>
          </Thead>
          <Tbody>
            {events
              .slice(-SHOWN_EVENTS)
              .reverse()
              .map((event, index) => (
                <Tr key={`${event.time}-${index}`}>
                  <Td dataLabel="Time">{new Date(event.time).toLocaleTimeString()}</Td>
                  <Td dataLabel="Type">
                    <Label color={event.type === 'Warning' ? 'orange' : 'blue'} isCompact>
                      {event.type}
                    </Label>
                  </Td>
                  <Td dataLabel="Reason">{event.reason}</Td>
                  <Td dataLabel="Object">{event.object ?? ''}</Td>
                  <Td dataLabel="Message">{event.message}</Td>
                </Tr>
              ))}
          </Tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
