import { FormGroup, NumberInput } from '@patternfly/react-core';
import { useApi } from '../api-context.js';
import { FieldHelper, validated } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

/** The number of workers; once changed it is sent even with a stored configuration, whose count wins otherwise. */
export function WorkersField({ form, errors, update, blur }: FieldBinding) {
  const maxWorkers = useApi().info['max-workers'];
  return (
    <FormGroup label="Workers" fieldId={FIELD_IDS.workerCount}>
      <NumberInput
        value={form.workerCount}
        min={0}
        max={maxWorkers}
        inputName="workers"
        inputAriaLabel="Number of workers"
        minusBtnAriaLabel="Fewer workers"
        plusBtnAriaLabel="More workers"
        validated={validated(errors, 'workerCount')}
        inputProps={{
          id: FIELD_IDS.workerCount,
          'data-test': 'workers-input',
          'aria-describedby': helperId('workerCount'),
        }}
        onMinus={() => {
          update(
            { workerCount: Math.max(0, (form.workerCount || 0) - 1), workerCountTouched: true },
            'workerCount',
          );
        }}
        onPlus={() => {
          update(
            {
              workerCount: Math.min(maxWorkers, (form.workerCount || 0) + 1),
              workerCountTouched: true,
            },
            'workerCount',
          );
        }}
        onChange={(event) => {
          const text = (event.target as HTMLInputElement).value;
          update({ workerCount: text === '' ? '' : Number(text), workerCountTouched: true }, 'workerCount');
        }}
        onBlur={() => {
          blur('workerCount');
        }}
      />
      <FieldHelper
        field="workerCount"
        errors={errors}
        hint={
          form.storedConfig.trim() !== '' && !form.workerCountTouched
            ? "The stored configuration's count applies unless you change it."
            : undefined
        }
      />
    </FormGroup>
  );
}
