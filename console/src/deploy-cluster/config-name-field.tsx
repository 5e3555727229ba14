import { FormGroup, TextInput } from '@patternfly/react-core';
import { FieldHelper, validated } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

interface ConfigNameFieldProps extends FieldBinding {
  readonly field: 'storedConfig' | 'sparkMasterConfig' | 'sparkWorkerConfig';
  readonly label: string;
  readonly hint: string;
  readonly 'data-test': string;
}

/** The name of a configuration: a stored cluster configuration, or a Spark configuration set. */
export function ConfigNameField(props: ConfigNameFieldProps) {
  const { form, errors, update, blur, field, label, hint } = props;
  return (
    <FormGroup label={label} fieldId={FIELD_IDS[field]}>
      <TextInput
        id={FIELD_IDS[field]}
        data-test={props['data-test']}
        value={form[field]}
        validated={validated(errors, field)}
        aria-describedby={helperId(field)}
        onChange={(_event, value) => {
          update({ [field]: value }, field);
        }}
        onBlur={() => {
          blur(field);
        }}
      />
      <FieldHelper field={field} errors={errors} hint={hint} />
    </FormGroup>
  );
}
