import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  ExpandableSection,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  NumberInput,
  Switch,
  TextInput,
} from '@patternfly/react-core';
import type { ClusterModel } from '../../src/client/oshinko-client.js';
import { useApi } from './api-context.js';
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
import { errorMessage } from './shared/format.js';
import { ImageField, type ImageChoice } from './image-field.js';

interface DeployClusterModalProps {
  readonly isOpen: boolean;
  readonly onClose: () => void;
  readonly onDeployed: (cluster: ClusterModel) => void;
}

const FIELD_IDS: Record<FormField, string> = {
  name: 'deploy-name',
  workerCount: 'deploy-workers',
  sparkImage: 'deploy-image',
  storedConfig: 'deploy-stored-config',
  sparkMasterConfig: 'deploy-master-config',
  sparkWorkerConfig: 'deploy-worker-config',
  exposeWebUI: 'deploy-expose-ui',
  metrics: 'deploy-metrics',
};

const METRICS_LABELS: Record<DeployForm['metrics'], string> = {
  '': 'Default (stored configuration or off)',
  false: 'Off',
  true: 'On',
  jolokia: 'Jolokia',
  prometheus: 'Prometheus',
};

function errorOf(error: unknown): { field: string | undefined; message: string } {
  const api = (error as { api?: { field?: string } } | undefined)?.api;
  return { field: api?.field, message: errorMessage(error) };
}

/** Escape in an open menu (the image typeahead) closes that menu, not the whole dialog. */
function escapeClosesMenu(event: KeyboardEvent): boolean {
  const target = event.target;
  if (event.defaultPrevented || !(target instanceof Element)) return event.defaultPrevented;
  return (
    target.closest('[role=listbox], [role=menu]') !== null || target.getAttribute('aria-expanded') === 'true'
  );
}

/**
 * "Deploy cluster": name and workers up front, everything else in a collapsed advanced section. Fields are
 * checked with the server's own rules as the user types; server errors land next to the field they name and
 * the user's input stays.
 */
export function DeployClusterModal({ isOpen, onClose, onDeployed }: DeployClusterModalProps) {
  const { client, info } = useApi();
  const [form, setForm] = useState<DeployForm>(emptyForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [touched, setTouched] = useState<Partial<Record<FormField, boolean>>>({});
  const [advanced, setAdvanced] = useState(false);
  const [alert, setAlert] = useState<string | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const [images, setImages] = useState<readonly ImageChoice[] | undefined>(undefined);
  const nameRef = useRef<HTMLInputElement>(null);
  const maxWorkers = info['max-workers'];
  const defaultImage = info['default-cluster-image'];
  const customImagesDisabled = info['custom-images'] === 'disabled';

  useEffect(() => {
    if (!isOpen || info.driver !== 'local') return;
    let cancelled = false;
    client.listImages().then(
      (list) => {
        if (!cancelled) {
          setImages(
            list.map((image) => ({
              ref: image.ref,
              description: [
                image.sparkVersion === null ? undefined : `Spark ${image.sparkVersion}`,
                image.isDefault ? 'default' : undefined,
                image.base === null ? undefined : `built on ${image.base}`,
              ]
                .filter((part) => part !== undefined)
                .join(' · '),
            })),
          );
        }
      },
      () => {
        // Without the list the field stays a plain text field; the server still checks the image.
        if (!cancelled) setImages([]);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [isOpen, client, info.driver]);

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

  const focusField = (field: FormField) => {
    // After the advanced section opened, the field exists in the DOM.
    setTimeout(() => document.getElementById(FIELD_IDS[field])?.focus(), 0);
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

  const reset = () => {
    setForm(emptyForm());
    setErrors({});
    setTouched({});
    setAdvanced(false);
    setAlert(undefined);
  };
  // Cancel starts the next deploy from a clean form; an error keeps the input (see submit).
  const close = () => {
    reset();
    onClose();
  };

  const validated = (field: FormField) => (errors[field] === undefined ? 'default' : 'error');
  const helper = (field: FormField, hint?: React.ReactNode) => {
    const error = errors[field];
    if (error === undefined && hint === undefined) return null;
    return (
      <FormHelperText>
        <HelperText id={`${FIELD_IDS[field]}-helper`} aria-live="polite">
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
  };

  const image = form.sparkImage;
  const isCustom = image !== '' && image !== defaultImage;
  const imageHint = customImagesDisabled ? (
    'Custom images are disabled on this server; clusters run the default image.'
  ) : isCustom ? (
    <span data-test="custom-image-hint">
      <Label color="purple" isCompact>
        custom image
      </Label>{' '}
      Every master and worker runs {image} instead of the default {defaultImage}.
    </span>
  ) : info['custom-images'] === 'restricted' ? (
    `Allowed images: ${info['allowed-images'].join(', ')}. Empty: the stored configuration's image or the default.`
  ) : (
    "Empty: the stored configuration's image or the server default."
  );

  return (
    <Modal
      isOpen={isOpen}
      onClose={close}
      onEscapePress={(event) => {
        if (!escapeClosesMenu(event)) close();
      }}
      variant="medium"
      aria-labelledby="deploy-title"
      elementToFocus={`#${FIELD_IDS.name}`}
      data-test="deploy-dialog"
    >
      <ModalHeader title="Deploy cluster" labelId="deploy-title" />
      <ModalBody>
        {alert !== undefined && (
          <Alert variant="danger" isInline title="The cluster was not deployed" data-test="deploy-alert">
            {alert}
          </Alert>
        )}
        <Form id="deploy-form" onSubmit={(event) => void submit(event)} noValidate>
          <FormGroup label="Name" isRequired fieldId={FIELD_IDS.name}>
            <TextInput
              id={FIELD_IDS.name}
              ref={nameRef}
              data-test="name-input"
              isRequired
              value={form.name}
              validated={validated('name')}
              aria-invalid={errors.name !== undefined}
              aria-describedby={`${FIELD_IDS.name}-helper`}
              autoComplete="off"
              onChange={(_event, value) => {
                update({ name: value }, 'name');
              }}
              onBlur={() => {
                if (form.name !== '') blur('name');
              }}
            />
            {helper(
              'name',
              'Lowercase letters, digits and "-", starting with a letter; at most 54 characters.',
            )}
          </FormGroup>
          <FormGroup label="Workers" fieldId={FIELD_IDS.workerCount}>
            <NumberInput
              value={form.workerCount}
              min={0}
              max={maxWorkers}
              inputName="workers"
              inputAriaLabel="Number of workers"
              minusBtnAriaLabel="Fewer workers"
              plusBtnAriaLabel="More workers"
              validated={validated('workerCount')}
              inputProps={{
                id: FIELD_IDS.workerCount,
                'data-test': 'workers-input',
                'aria-describedby': `${FIELD_IDS.workerCount}-helper`,
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
                update(
                  { workerCount: text === '' ? '' : Number(text), workerCountTouched: true },
                  'workerCount',
                );
              }}
              onBlur={() => {
                blur('workerCount');
              }}
            />
            {helper(
              'workerCount',
              form.storedConfig.trim() !== '' && !form.workerCountTouched
                ? "The stored configuration's count applies unless you change it."
                : undefined,
            )}
          </FormGroup>
          <ExpandableSection
            toggleText="Advanced configuration"
            isExpanded={advanced}
            onToggle={(_event, expanded) => {
              setAdvanced(expanded);
            }}
            data-test="advanced-toggle"
            toggleId="deploy-advanced-toggle"
            contentId="deploy-advanced-content"
          >
            <div className="oshinko-advanced">
              <FormGroup label="Spark image" fieldId={FIELD_IDS.sparkImage}>
                <ImageField
                  id={FIELD_IDS.sparkImage}
                  label="Spark image"
                  value={form.sparkImage}
                  placeholder={defaultImage}
                  invalid={errors.sparkImage !== undefined}
                  describedBy={`${FIELD_IDS.sparkImage}-helper`}
                  isDisabled={customImagesDisabled}
                  choices={info.driver === 'local' ? (images ?? []) : undefined}
                  onChange={(value) => {
                    update({ sparkImage: value }, 'sparkImage');
                  }}
                  onBlur={() => {
                    blur('sparkImage');
                  }}
                />
                {helper('sparkImage', imageHint)}
              </FormGroup>
              <FormGroup label="Stored configuration" fieldId={FIELD_IDS.storedConfig}>
                <TextInput
                  id={FIELD_IDS.storedConfig}
                  data-test="stored-config-input"
                  value={form.storedConfig}
                  validated={validated('storedConfig')}
                  aria-describedby={`${FIELD_IDS.storedConfig}-helper`}
                  onChange={(_event, value) => {
                    update({ storedConfig: value }, 'storedConfig');
                  }}
                  onBlur={() => {
                    blur('storedConfig');
                  }}
                />
                {helper('storedConfig', 'A stored cluster configuration to start from; explicit fields win.')}
              </FormGroup>
              <FormGroup label="Master Spark configuration" fieldId={FIELD_IDS.sparkMasterConfig}>
                <TextInput
                  id={FIELD_IDS.sparkMasterConfig}
                  data-test="master-config-input"
                  value={form.sparkMasterConfig}
                  validated={validated('sparkMasterConfig')}
                  aria-describedby={`${FIELD_IDS.sparkMasterConfig}-helper`}
                  onChange={(_event, value) => {
                    update({ sparkMasterConfig: value }, 'sparkMasterConfig');
                  }}
                  onBlur={() => {
                    blur('sparkMasterConfig');
                  }}
                />
                {helper('sparkMasterConfig', 'Name of a set of Spark config files for the master.')}
              </FormGroup>
              <FormGroup label="Worker Spark configuration" fieldId={FIELD_IDS.sparkWorkerConfig}>
                <TextInput
                  id={FIELD_IDS.sparkWorkerConfig}
                  data-test="worker-config-input"
                  value={form.sparkWorkerConfig}
                  validated={validated('sparkWorkerConfig')}
                  aria-describedby={`${FIELD_IDS.sparkWorkerConfig}-helper`}
                  onChange={(_event, value) => {
                    update({ sparkWorkerConfig: value }, 'sparkWorkerConfig');
                  }}
                  onBlur={() => {
                    blur('sparkWorkerConfig');
                  }}
                />
                {helper('sparkWorkerConfig', 'Name of a set of Spark config files for the workers.')}
              </FormGroup>
              <FormGroup label="Spark web UI" fieldId={FIELD_IDS.exposeWebUI} role="group">
                <Switch
                  id={FIELD_IDS.exposeWebUI}
                  data-test="expose-ui-switch"
                  label="Expose the web UI"
                  isChecked={form.exposeWebUI ?? true}
                  aria-describedby={`${FIELD_IDS.exposeWebUI}-helper`}
                  onChange={(_event, checked) => {
                    update({ exposeWebUI: checked }, 'exposeWebUI');
                  }}
                />
                {helper('exposeWebUI')}
              </FormGroup>
              <FormGroup label="Metrics" fieldId={FIELD_IDS.metrics}>
                <FormSelect
                  id={FIELD_IDS.metrics}
                  data-test="metrics-select"
                  value={form.metrics}
                  validated={validated('metrics')}
                  aria-describedby={`${FIELD_IDS.metrics}-helper`}
                  onChange={(_event, value) => {
                    update({ metrics: value as DeployForm['metrics'] }, 'metrics');
                  }}
                >
                  {Object.entries(METRICS_LABELS).map(([value, label]) => (
                    <FormSelectOption key={value} value={value} label={label} />
                  ))}
                </FormSelect>
                {helper('metrics')}
              </FormGroup>
            </div>
          </ExpandableSection>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button
          variant="primary"
          type="submit"
          form="deploy-form"
          isLoading={submitting}
          isDisabled={submitting}
          data-test="deploy-submit"
        >
          Deploy
        </Button>
        <Button variant="link" onClick={close} data-test="deploy-cancel">
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
