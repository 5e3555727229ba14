import { FormGroup, FormSelect, FormSelectOption } from '@patternfly/react-core';
import { PULL_POLICIES } from '../../../src/core/cluster.js';
import type { DeployForm } from './deploy-form.js';
import { FieldHelper } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

/** When the kubelet pulls the image; untouched, Kubernetes decides from the tag. */
export function PullPolicyField({ form, errors, update }: FieldBinding) {
  return (
    <FormGroup label="Image pull policy" fieldId={FIELD_IDS.imagePullPolicy}>
      <FormSelect
        id={FIELD_IDS.imagePullPolicy}
        data-test="image-pull-policy-select"
        value={form.imagePullPolicy}
        aria-describedby={helperId('imagePullPolicy')}
        onChange={(_event, value) => {
          update({ imagePullPolicy: value as DeployForm['imagePullPolicy'] }, 'imagePullPolicy');
        }}
      >
        <FormSelectOption value="" label="Default (Always for :latest or no tag, else IfNotPresent)" />
        {PULL_POLICIES.map((policy) => (
          <FormSelectOption key={policy} value={policy} label={policy} />
        ))}
      </FormSelect>
      <FieldHelper
        field="imagePullPolicy"
        errors={errors}
        hint="Always picks up an image rebuilt under the same tag."
      />
    </FormGroup>
  );
}
