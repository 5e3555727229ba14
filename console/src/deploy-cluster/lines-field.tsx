import { FormGroup, TextArea } from '@patternfly/react-core';
import type { LinesField as LinesFormField } from './deploy-form.js';
import { FieldHelper, validated } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

interface LinesFieldProps extends FieldBinding {
  readonly field: LinesFormField;
  readonly label: string;
  readonly placeholder: string;
  readonly hint: string;
}

/**
 * A list typed one entry per line (`KEY=VALUE`, as the CLI's repeatable flags take them); a wrong line is named
 * with the server's reason.
 */
export function LinesField({ form, errors, update, blur, field, label, placeholder, hint }: LinesFieldProps) {
  return (
    <FormGroup label={label} fieldId={FIELD_IDS[field]}>
      <TextArea
        id={FIELD_IDS[field]}
        data-test={`${FIELD_IDS[field]}-input`}
        value={form[field]}
        placeholder={placeholder}
        rows={2}
        resizeOrientation="vertical"
        autoResize
        spellCheck={false}
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
      <FieldHelper field={field} errors={errors} hint={hint} />
    </FormGroup>
  );
}
