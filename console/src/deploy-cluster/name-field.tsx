import { FormGroup, TextInput } from '@patternfly/react-core';
import { FieldHelper, validated } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

/** The cluster name, checked with the server's rule once the user left the field. */
export function NameField({ form, errors, update, blur }: FieldBinding) {
  return (
    <FormGroup label="Name" isRequired fieldId={FIELD_IDS.name}>
      <TextInput
        id={FIELD_IDS.name}
        data-test="name-input"
        isRequired
        value={form.name}
        validated={validated(errors, 'name')}
        aria-invalid={errors.name !== undefined}
        aria-describedby={helperId('name')}
        autoComplete="off"
        onChange={(_event, value) => {
          update({ name: value }, 'name');
        }}
        onBlur={() => {
          if (form.name !== '') blur('name');
        }}
      />
      <FieldHelper
        field="name"
        errors={errors}
        hint='Lowercase letters, digits and "-", starting with a letter; at most 54 characters.'
      />
    </FormGroup>
  );
}
