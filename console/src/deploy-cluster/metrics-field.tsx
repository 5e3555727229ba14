import { FormGroup, FormSelect, FormSelectOption } from '@patternfly/react-core';
import type { DeployForm } from './deploy-form.js';
import { FieldHelper, validated } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

const METRICS_LABELS: Record<DeployForm['metrics'], string> = {
  '': 'Default (stored configuration or off)',
  false: 'Off',
  true: 'On',
  jolokia: 'Jolokia',
  prometheus: 'Prometheus',
};

/** Metrics: untouched, the stored configuration or the server default decides. */
export function MetricsField({ form, errors, update }: FieldBinding) {
  return (
    <FormGroup label="Metrics" fieldId={FIELD_IDS.metrics}>
      <FormSelect
        id={FIELD_IDS.metrics}
        data-test="metrics-select"
        value={form.metrics}
        validated={validated(errors, 'metrics')}
        aria-describedby={helperId('metrics')}
        onChange={(_event, value) => {
          update({ metrics: value as DeployForm['metrics'] }, 'metrics');
        }}
      >
        {Object.entries(METRICS_LABELS).map(([value, label]) => (
          <FormSelectOption key={value} value={value} label={label} />
        ))}
      </FormSelect>
      <FieldHelper field="metrics" errors={errors} />
    </FormGroup>
  );
}
