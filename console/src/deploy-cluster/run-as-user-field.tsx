import { FormGroup, TextInput } from '@patternfly/react-core';
import { FieldHelper, validated } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

/** The UID of the Spark containers, or `image` for none; empty: the server's choice (185, none on OpenShift). */
export function RunAsUserField({ form, errors, update, blur }: FieldBinding) {
  return (
    <FormGroup label="Run as user" fieldId={FIELD_IDS.runAsUser}>
      <TextInput
        id={FIELD_IDS.runAsUser}
        data-test="deploy-run-as-user-input"
        value={form.runAsUser}
        placeholder="e.g. 185 or image"
        validated={validated(errors, 'runAsUser')}
        aria-invalid={errors.runAsUser !== undefined}
        aria-describedby={helperId('runAsUser')}
        onChange={(_event, value) => {
          update({ runAsUser: value }, 'runAsUser');
        }}
        onBlur={() => {
          blur('runAsUser');
        }}
      />
      <FieldHelper
        field="runAsUser"
        errors={errors}
        hint="The UID of the Spark containers, for an image whose user is not 185; image: set none. Empty: the server's default (185, none on OpenShift)."
      />
    </FormGroup>
  );
}
