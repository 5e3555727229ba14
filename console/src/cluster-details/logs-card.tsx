import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  CodeBlock,
  CodeBlockCode,
  Flex,
  FlexItem,
  FormSelect,
  FormSelectOption,
} from '@patternfly/react-core';
import { SyncAltIcon } from '@patternfly/react-icons';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { usePodLog } from './use-cluster-details.js';

function PodLog({ cluster }: { cluster: ClusterModel }) {
  const pods = cluster.pods.map((pod) => pod.name);
  const [pod, setPod] = useState<string>('');
  const chosen = pod !== '' && pods.includes(pod) ? pod : (pods[0] ?? '');
  const { text, error, reload } = usePodLog(cluster.name, chosen);
  const logRef = useRef<HTMLDivElement>(null);

  // The newest lines are at the end: show them.
  useEffect(() => {
    const box = logRef.current;
    if (box !== null) box.scrollTop = box.scrollHeight;
  }, [text]);

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
          <Button variant="secondary" icon={<SyncAltIcon />} onClick={reload} data-test="log-refresh">
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

/** The log of any pod of the cluster (`GET /clusters/<name>/logs?pod=`), newest lines in view. */
export function LogsCard({ cluster }: { cluster: ClusterModel }) {
  return (
    <Card>
      <CardTitle component="h2">Logs</CardTitle>
      <CardBody>
        <PodLog cluster={cluster} />
      </CardBody>
    </Card>
  );
}
