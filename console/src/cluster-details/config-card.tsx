import { Card, CardBody, CardTitle, DescriptionList } from '@patternfly/react-core';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import {
  formatEnvVar,
  formatPairs,
  formatResources,
  formatToleration,
} from '../../../src/client/pod-settings-text.js';
import { Term } from './term.js';

/** Entries one per line, as the deploy dialog takes them. */
function Entries({ entries }: { entries: readonly string[] }) {
  return (
    <>
      {entries.map((entry) => (
        <div key={entry}>{entry}</div>
      ))}
    </>
  );
}

/**
 * The configuration the cluster runs with, after the stored configuration and the defaults applied; the Kubernetes
 * pod settings only when the cluster has them.
 */
export function ConfigCard({ config }: { config: ClusterModel['config'] }) {
  const {
    imagePullPolicy,
    runAsUser,
    imagePullSecrets,
    masterResources,
    workerResources,
    nodeSelector,
    tolerations,
    labels,
    annotations,
    env,
  } = config;
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
          {imagePullPolicy !== undefined && (
            <Term term="Image pull policy" test="config-image-pull-policy">
              {imagePullPolicy}
            </Term>
          )}
          {runAsUser !== undefined && (
            <Term term="Runs as" test="config-run-as-user">
              {runAsUser === 'image' ? "the image's user (or the platform's)" : `UID ${String(runAsUser)}`}
            </Term>
          )}
          {masterResources !== undefined && (
            <Term term="Master resources" test="config-master-resources">
              {formatResources(masterResources)}
            </Term>
          )}
          {workerResources !== undefined && (
            <Term term="Worker resources" test="config-worker-resources">
              {formatResources(workerResources)}
            </Term>
          )}
          {imagePullSecrets !== undefined && (
            <Term term="Image pull secrets" test="config-image-pull-secrets">
              {imagePullSecrets.length === 0 ? '(none)' : <Entries entries={imagePullSecrets} />}
            </Term>
          )}
          {nodeSelector !== undefined && Object.keys(nodeSelector).length > 0 && (
            <Term term="Node selector" test="config-node-selector">
              <Entries entries={formatPairs(nodeSelector)} />
            </Term>
          )}
          {tolerations !== undefined && tolerations.length > 0 && (
            <Term term="Tolerations" test="config-tolerations">
              <Entries entries={tolerations.map(formatToleration)} />
            </Term>
          )}
          {labels !== undefined && Object.keys(labels).length > 0 && (
            <Term term="Pod labels" test="config-labels">
              <Entries entries={formatPairs(labels)} />
            </Term>
          )}
          {annotations !== undefined && Object.keys(annotations).length > 0 && (
            <Term term="Pod annotations" test="config-annotations">
              <Entries entries={formatPairs(annotations)} />
            </Term>
          )}
          {env !== undefined && env.length > 0 && (
            <Term term="Environment" test="config-env">
              <Entries entries={env.map(formatEnvVar)} />
            </Term>
          )}
        </DescriptionList>
      </CardBody>
    </Card>
  );
}
