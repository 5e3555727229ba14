import { FormGroup, Switch } from '@patternfly/react-core';
import { FieldHelper } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import type { FieldBinding } from './use-deploy-form.js';

/** Whether the Spark web UI is exposed; shown on (the default) until the user sets it. */
export function ExposeUiField({ form, errors, update }: FieldBinding) {
  return (
    <FormGroup label="Spark web UI" fieldId={FIELD_IDS.exposeWebUI} role="group">
      <Switch
        id={FIELD_IDS.exposeWebUI}
        data-test="expose-ui-switch"
        label="Expose the web UI"
        isChecked={form.exposeWebUI ?? true}
        aria-describedby={helperId('exposeWebUI')}
        onChange={(_event, checked) => {
          update({ exposeWebUI: checked }, 'exposeWebUI');
        }}
      />
      <FieldHelper field="exposeWebUI" errors={errors} />
    </FormGroup>
  );
}
