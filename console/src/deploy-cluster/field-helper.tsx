import { FormHelperText, HelperText, HelperTextItem } from '@patternfly/react-core';
import type { ReactNode } from 'react';
import type { FieldErrors, FormField } from './deploy-form.js';
import { helperId } from './field-ids.js';

/** A field's validation state as PatternFly inputs take it. */
export function validated(errors: FieldErrors, field: FormField): 'default' | 'error' {
  return errors[field] === undefined ? 'default' : 'error';
}

/** Under a field: its error when it has one (announced), else its hint, else nothing. */
export function FieldHelper({
  field,
  errors,
  hint,
}: {
  field: FormField;
  errors: FieldErrors;
  hint?: ReactNode;
}) {
  const error = errors[field];
  if (error === undefined && hint === undefined) return null;
  return (
    <FormHelperText>
      <HelperText id={helperId(field)} aria-live="polite">
        {error === undefined ? (
          <HelperTextItem>{hint}</HelperTextItem>
        ) : (
          <HelperTextItem variant="error" data-test={`error-${field}`}>
            {error}
          </HelperTextItem>
        )}
      </HelperText>
    </FormHelperText>
  );
}
