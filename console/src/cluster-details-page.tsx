import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  Breadcrumb,
  BreadcrumbItem,
  Bullseye,
  Button,
  Card,
  CardBody,
  CardTitle,
  ClipboardCopy,
  CodeBlock,
  CodeBlockCode,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  FlexItem,
  FormSelect,
  FormSelectOption,
  Grid,
  GridItem,
  Label,
  PageSection,
  Spinner,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { CheckCircleIcon, ExternalLinkAltIcon, SyncAltIcon, TimesCircleIcon } from '@patternfly/react-icons';
import { formatAge } from '../../src/client/format-age.js';
import type { ClusterModel } from '../../src/client/oshinko-client.js';
import { useApi } from './api-context.js';
import { ImageCell } from './shared/image-cell.js';
import { DeleteClusterModal } from './shared/delete-cluster-modal.js';
import { errorMessage, IMAGE_SOURCE_TEXT, sparkSubmitLine, webUiUrl } from './shared/format.js';
import { Link, navigate } from './navigation.js';
import { ScaleClusterModal } from './shared/scale-cluster-modal.js';
import { StatusLabel } from './shared/status-label.js';
import { useToasts } from './shared/toasts.js';
import { usePolling } from './shared/use-polling.js';

export const DETAILS_REFRESH_MS = 3000;
const LOG_LINES = 200;

function Term({ term, children, test }: { term: string; children: React.ReactNode; test?: string }) {
  return (
    <DescriptionListGroup>
      <DescriptionListTerm>{term}</DescriptionListTerm>
      <DescriptionListDescription data-test={test}>{children}</DescriptionListDescription>
    </DescriptionListGroup>
  );
}

function imageOrigin(cluster: ClusterModel): string {
  if (cluster.imageSource === 'stored-config' && cluster.config.name !== undefined) {
    return `from the stored configuration ${cluster.config.name}`;
  }
  return IMAGE_SOURCE_TEXT[cluster.imageSource];
}

function PodLogs({ cluster }: { cluster: ClusterModel }) {
  const { client } = useApi();
  const pods = cluster.pods.map((pod) => pod.name);
  const [pod, setPod] = useState<string>('');
  const [text, setText] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const chosen = pod !== '' && pods.includes(pod) ? pod : (pods[0] ?? '');
  const logRef = useRef<HTMLDivElement>(null);

  // The newest lines are at the end: show them.
  useEffect(() => {
    const box = logRef.current;
    if (box !== null) box.scrollTop = box.scrollHeight;
  }, [text]);

  useEffect(() => {
    if (chosen === '') return;
    let cancelled = false;
    client.logs(cluster.name, { pod: chosen, tail: LOG_LINES }).then(
      (logs) => {
        if (cancelled) return;
        setText(logs);
        setError(undefined);
      },
      (caught: unknown) => {
        if (!cancelled) setError(errorMessage(caught));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, cluster.name, chosen, version]);

  if (pods.length === 0) return <p>No pods, so no logs.</p>;
  return (
    <>
      <Flex alignItems={{ default: 'alignItemsCenter' }}>
        <FlexItem>
          <FormSelect
            className="oshinko-log-pod"
            value={chosen}
            aria-label="Pod whose log is shown"
            onChange={(_event, value) => {
              setPod(value);
            }}
            data-test="log-pod-select"
          >
            {pods.map((name) => (
              <FormSelectOption key={name} value={name} label={name} />
            ))}
          </FormSelect>
        </FlexItem>
        <FlexItem>
          <Button
            variant="secondary"
            icon={<SyncAltIcon />}
            onClick={() => {
              setVersion(version + 1);
            }}
            data-test="log-refresh"
          >
            Refresh
          </Button>
        </FlexItem>
      </Flex>
      {error !== undefined && (
        <Alert variant="warning" isInline isPlain title="Cannot read the log">
          {error}
        </Alert>
      )}
      <div className="oshinko-log" ref={logRef} tabIndex={0} role="region" aria-label="Log">
        <CodeBlock>
          <CodeBlockCode data-test="log-text">{text === '' ? '(empty)' : (text ?? 'Loading…')}</CodeBlockCode>
        </CodeBlock>
      </div>
    </>
  );
}

/** The spark-submit line; on the local driver it names the client of the cluster's own image. */
function SubmitCommand({ cluster }: { cluster: ClusterModel }) {
  const { client, info } = useApi();
  const [sparkHome, setSparkHome] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (info.driver !== 'local') return;
    let cancelled = false;
    client.listImages().then(
      (images) => {
        if (!cancelled) setSparkHome(images.find((image) => image.ref === cluster.image)?.sparkHome);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [client, info.driver, cluster.image]);

  return (
    <>
      <ClipboardCopy isReadOnly isCode hoverTip="Copy" clickTip="Copied" data-test="spark-submit">
        {sparkSubmitLine(cluster.masterUrl, sparkHome)}
      </ClipboardCopy>
      <p className="pf-v6-u-mt-sm pf-v6-u-font-size-sm">
        {sparkHome === undefined
          ? 'Use a Spark client of the same version as the cluster image.'
          : `The client of ${cluster.image}: the same Spark, jars, Python files and configuration as the cluster.`}
      </p>
    </>
  );
}

export function ClusterDetailsPage({
  name,
  refreshMs = DETAILS_REFRESH_MS,
}: {
  name: string;
  refreshMs?: number;
}) {
  const { client } = useApi();
  const load = useCallback(
    async () => ({ cluster: await client.getCluster(name), at: Date.now() }),
    [client, name],
  );
  const { data, error, refresh } = usePolling(load, refreshMs);
  const [scaling, setScaling] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [toasts, notify] = useToasts();
  const cluster = data?.cluster;

  const header = (
    <PageSection>
      <Breadcrumb>
        <BreadcrumbItem>
          <Link to="/">Clusters</Link>
        </BreadcrumbItem>
        <BreadcrumbItem isActive>{name}</BreadcrumbItem>
      </Breadcrumb>
      <Flex
        justifyContent={{ default: 'justifyContentSpaceBetween' }}
        alignItems={{ default: 'alignItemsCenter' }}
        className="pf-v6-u-mt-md"
      >
        <Flex alignItems={{ default: 'alignItemsCenter' }}>
          <FlexItem>
            <Title headingLevel="h1" data-test="details-title">
              {name}
            </Title>
          </FlexItem>
          {cluster !== undefined && (
            <FlexItem>
              <StatusLabel status={cluster.status} reason={cluster.reason} />
            </FlexItem>
          )}
        </Flex>
        {cluster !== undefined && (
          <Flex>
            <Button
              variant="secondary"
              onClick={() => {
                setScaling(true);
              }}
              data-test="details-scale"
            >
              Scale
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                setDeleting(true);
              }}
              data-test="details-delete"
            >
              Delete
            </Button>
          </Flex>
        )}
      </Flex>
    </PageSection>
  );

  if (cluster === undefined) {
    return (
      <>
        {toasts}
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

  const webUi = webUiUrl(cluster);
  const { config } = cluster;
  return (
    <>
      {toasts}
      {header}
      <PageSection>
        {error !== undefined && (
          <Alert variant="warning" isInline title="Cannot refresh the cluster" className="pf-v6-u-mb-md">
            {errorMessage(error)}
          </Alert>
        )}
        <Grid hasGutter>
          <GridItem lg={6}>
            <Card isFullHeight>
              <CardTitle component="h2">Overview</CardTitle>
              <CardBody>
                <DescriptionList isCompact>
                  {cluster.reason !== undefined && <Term term="Status reason">{cluster.reason}</Term>}
                  <Term term="Master URL">
                    <ClipboardCopy
                      isReadOnly
                      hoverTip="Copy"
                      clickTip="Copied"
                      data-test="details-master-url"
                    >
                      {cluster.masterUrl}
                    </ClipboardCopy>
                  </Term>
                  <Term term="Spark web UI">
                    <Button
                      variant="link"
                      isInline
                      component="a"
                      href={webUi}
                      target="_blank"
                      rel="noopener noreferrer"
                      icon={<ExternalLinkAltIcon />}
                      iconPosition="end"
                      data-test="details-web-ui"
                    >
                      {webUi}
                    </Button>
                  </Term>
                  <Term term="Workers ready" test="details-workers">
                    {cluster.workers.ready}/{cluster.workers.desired}
                  </Term>
                  <Term term="Masters ready">
                    {cluster.masters.ready}/{cluster.masters.desired}
                  </Term>
                  <Term term="Image" test="details-image">
                    <ImageCell image={cluster.image} customImage={cluster.customImage} />
                  </Term>
                  <Term term="Image origin" test="details-image-source">
                    {imageOrigin(cluster)}
                  </Term>
                  <Term term="Created">
                    {new Date(cluster.createdAt).toLocaleString()} (
                    {formatAge(cluster.createdAt, data?.at ?? 0)} ago)
                  </Term>
                </DescriptionList>
              </CardBody>
            </Card>
          </GridItem>
          <GridItem lg={6}>
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
          </GridItem>
          <GridItem span={12}>
            <Card>
              <CardTitle component="h2">Submit an application</CardTitle>
              <CardBody>
                <SubmitCommand cluster={cluster} />
              </CardBody>
            </Card>
          </GridItem>
          <GridItem span={12}>
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
                    {cluster.pods.map((pod) => (
                      <Tr key={pod.name} data-test="pod-row">
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
                    ))}
                  </Tbody>
                </Table>
              </CardBody>
            </Card>
          </GridItem>
          {cluster.events !== undefined && cluster.events.length > 0 && (
            <GridItem span={12}>
              <Card>
                <CardTitle component="h2">Events</CardTitle>
                <CardBody>
                  <Table
                    aria-label="Events"
                    variant="compact"
                    gridBreakPoint="grid-lg"
                    data-test="event-table"
                  >
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
                      {cluster.events
                        .slice(-20)
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
            </GridItem>
          )}
          <GridItem span={12}>
            <Card>
              <CardTitle component="h2">Logs</CardTitle>
              <CardBody>
                <PodLogs cluster={cluster} />
              </CardBody>
            </Card>
          </GridItem>
        </Grid>
      </PageSection>
      {scaling && (
        <ScaleClusterModal
          name={cluster.name}
          workerCount={config.workerCount}
          onClose={() => {
            setScaling(false);
          }}
          onScaled={(scaled) => {
            setScaling(false);
            notify('success', `Cluster ${scaled.name} scaled to ${scaled.config.workerCount} workers`);
            void refresh();
          }}
        />
      )}
      {deleting && (
        <DeleteClusterModal
          name={cluster.name}
          onClose={() => {
            setDeleting(false);
          }}
          onDeleted={() => {
            navigate('/');
          }}
        />
      )}
    </>
  );
}
