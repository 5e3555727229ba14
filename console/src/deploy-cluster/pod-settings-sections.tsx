import { FormSection, Grid, GridItem, HelperText, HelperTextItem } from '@patternfly/react-core';
import { LinesField } from './lines-field.js';
import { PullPolicyField } from './pull-policy-field.js';
import { QuantityField } from './quantity-field.js';
import { RunAsUserField } from './run-as-user-field.js';
import type { FieldBinding } from './use-deploy-form.js';

/**
 * What the master and each worker get: on Kubernetes their pods' requests and limits, on the local driver what each
 * worker offers its master and the master's heap (docs/local-driver.md), so it is shown on both drivers.
 */
export function ResourcesSection({ driver, ...binding }: FieldBinding & { readonly driver: string }) {
  return (
    <FormSection title="Resources" titleElement="h3" data-test="deploy-resources-section">
      <Grid hasGutter md={6}>
        <GridItem>
          <QuantityField {...binding} field="masterCpu" label="Master CPU" placeholder="e.g. 1 or 500m" />
        </GridItem>
        <GridItem>
          <QuantityField {...binding} field="masterMemory" label="Master memory" placeholder="e.g. 1Gi" />
        </GridItem>
        <GridItem>
          <QuantityField {...binding} field="workerCpu" label="Worker CPU" placeholder="e.g. 2" />
        </GridItem>
        <GridItem>
          <QuantityField {...binding} field="workerMemory" label="Worker memory" placeholder="e.g. 4Gi" />
        </GridItem>
      </Grid>
      <HelperText>
        <HelperTextItem>
          {driver === 'kubernetes'
            ? "Each pod's requests and limits; a worker offers its master what it was given, less what its daemon keeps."
            : "What Spark is told on this machine, not limits: a worker offers its master what it was given, less what its daemon keeps; the master's CPU is not enforced."}
        </HelperTextItem>
      </HelperText>
    </FormSection>
  );
}

/**
 * The Kubernetes pod settings of the advanced section beyond the resources: where each pod runs and what it carries
 * (pods), and what its Spark containers see (environment). Names follow the REST fields and the CLI flags.
 */
export function PodSettingsSections(binding: FieldBinding) {
  return (
    <>
      <FormSection title="Pods" titleElement="h3" data-test="deploy-pods-section">
        <PullPolicyField {...binding} />
        <RunAsUserField {...binding} />
        <LinesField
          {...binding}
          field="imagePullSecrets"
          label="Image pull secrets"
          placeholder="regcred"
          hint="Secrets of the namespace to pull the image with, one name per line; empty: the server's default."
        />
        <LinesField
          {...binding}
          field="nodeSelector"
          label="Node selector"
          placeholder="disktype=ssd"
          hint="Node labels every pod must match, one KEY=VALUE per line."
        />
        <LinesField
          {...binding}
          field="tolerations"
          label="Tolerations"
          placeholder="dedicated=spark:NoSchedule"
          hint="Node taints every pod tolerates, one KEY[=VALUE]:EFFECT per line, as kubectl writes taints; KEY:EFFECT tolerates any value."
        />
        <LinesField
          {...binding}
          field="labels"
          label="Pod labels"
          placeholder="team=data"
          hint="Added to every pod, one KEY=VALUE per line."
        />
        <LinesField
          {...binding}
          field="annotations"
          label="Pod annotations"
          placeholder="example.com/owner=ana"
          hint="Added to every pod, one KEY=VALUE per line."
        />
      </FormSection>
      <FormSection title="Environment" titleElement="h3" data-test="deploy-env-section">
        <LinesField
          {...binding}
          field="env"
          label="Environment variables"
          placeholder="MODE=fast"
          hint="For the Spark containers, one NAME=VALUE per line."
        />
        <LinesField
          {...binding}
          field="envFromSecret"
          label="Variables from Secrets"
          placeholder="TOKEN=creds:token"
          hint="One NAME=SECRET:KEY per line: the variable takes the key of a Secret of the namespace."
        />
      </FormSection>
    </>
  );
}
