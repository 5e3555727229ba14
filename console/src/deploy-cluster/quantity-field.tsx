import { FormGroup, TextInput } from '@patternfly/react-core';
import { FieldHelper, validated } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

interface QuantityFieldProps extends FieldBinding {
  readonly field: 'masterCpu' | 'masterMemory' | 'workerCpu' | 'workerMemory';
  readonly label: string;
  readonly placeholder: string;
}

/** One Kubernetes quantity (CPU or memory of a role), checked as the server checks it. */
export function QuantityField({ form, errors, update, blur, field, label, placeholder }: QuantityFieldProps) {
  return (
    <FormGroup label={label} fieldId={FIELD_IDS[field]}>
      <TextInput
        id={FIELD_IDS[field]}
        data-test={`${FIELD_IDS[field]}-input`}
        value={form[field]}
        placeholder={placeholder}
        validated={validated(errors, field)}
        aria-invalid={errors[field] !== undefined}
        aria-describedby={helperId(field)}
        onChange={(_event, value) => {
          update({ [field]: value }, field);
        }}
        onBlur={() => {
          blur(field);
        }}
      />
      <FieldHelper field={field} errors={errors} />
    </FormGroup>
  );
}
