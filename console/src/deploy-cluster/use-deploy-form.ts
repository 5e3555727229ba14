import { useState } from 'react';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { useApi } from '../api-context.js';
import { errorMessage } from '../shared/format.js';
import {
  ADVANCED_FIELDS,
  emptyForm,
  formFieldOf,
  toRequest,
  validateField,
  validateForm,
  type DeployForm,
  type FieldErrors,
  type FormField,
} from './deploy-form.js';
import { FIELD_IDS } from './field-ids.js';

/** What a field needs of the form: the values, the errors, and where to report a change or a blur. */
export interface FieldBinding {
  readonly form: DeployForm;
  readonly errors: FieldErrors;
  readonly update: (patch: Partial<DeployForm>, field: FormField) => void;
  readonly blur: (field: FormField) => void;
}

function errorOf(error: unknown): { field: string | undefined; message: string } {
  const api = (error as { api?: { field?: string } } | undefined)?.api;
  return { field: api?.field, message: errorMessage(error) };
}

function focusField(field: FormField): void {
  // After the advanced section opened, the field exists in the DOM.
  setTimeout(() => document.getElementById(FIELD_IDS[field])?.focus(), 0);
}

/**
 * The deploy dialog's state and its one write. A field is checked once touched (or once it showed an error);
 * deploy checks them all first and focuses the first wrong one. A server error lands on the field it names,
 * opening the advanced section if needed, else in the dialog's alert; either way the input stays.
 */
export function useDeployForm(onDeployed: (cluster: ClusterModel) => void) {
  const { client, info } = useApi();
  const [form, setForm] = useState<DeployForm>(emptyForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [touched, setTouched] = useState<Partial<Record<FormField, boolean>>>({});
  const [advanced, setAdvanced] = useState(false);
  const [alert, setAlert] = useState<string | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const maxWorkers = info['max-workers'];

  const update = (patch: Partial<DeployForm>, field: FormField) => {
    const next = { ...form, ...patch };
    setForm(next);
    if (touched[field] === true || errors[field] !== undefined) {
      setErrors((current) => ({ ...current, [field]: validateField(next, field, maxWorkers) }));
    }
  };
  const blur = (field: FormField) => {
    setTouched((current) => ({ ...current, [field]: true }));
    setErrors((current) => ({ ...current, [field]: validateField(form, field, maxWorkers) }));
  };

  const reset = () => {
    setForm(emptyForm());
    setErrors({});
    setTouched({});
    setAdvanced(false);
    setAlert(undefined);
  };

  const submit = async (event?: React.SyntheticEvent) => {
    event?.preventDefault();
    if (submitting) return;
    setAlert(undefined);
    const found = validateForm(form, maxWorkers);
    const first = (Object.keys(FIELD_IDS) as FormField[]).find((field) => found[field] !== undefined);
    setErrors(found);
    if (first !== undefined) {
      if (ADVANCED_FIELDS.includes(first)) setAdvanced(true);
      focusField(first);
      return;
    }
    setSubmitting(true);
    try {
      const cluster = await client.createCluster(toRequest(form));
      reset();
      onDeployed(cluster);
    } catch (caught) {
      const { field, message } = errorOf(caught);
      const formField = formFieldOf(field);
      if (formField === undefined) {
        setAlert(message);
      } else {
        setErrors({ [formField]: message });
        if (ADVANCED_FIELDS.includes(formField)) setAdvanced(true);
        focusField(formField);
      }
    } finally {
      setSubmitting(false);
    }
  };

  const binding: FieldBinding = { form, errors, update, blur };
  return { binding, advanced, setAdvanced, alert, submitting, submit, reset };
}
