import { useState } from 'react';
import {
  Alert,
  Button,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  NumberInput,
} from '@patternfly/react-core';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { useApi } from '../api-context.js';
import { errorMessage } from './format.js';

interface ScaleClusterModalProps {
  readonly name: string;
  readonly workerCount: number;
  readonly onClose: () => void;
  readonly onScaled: (cluster: ClusterModel) => void;
}

/** Changes the number of workers of one cluster; the image and everything else stay as they are. */
export function ScaleClusterModal({ name, workerCount, onClose, onScaled }: ScaleClusterModalProps) {
  const { client, info } = useApi();
  const maxWorkers = info['max-workers'];
  const [count, setCount] = useState<number | ''>(workerCount);
  const [error, setError] = useState<string | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const problem =
    count === '' || !Number.isInteger(count) || count < 0 || count > maxWorkers
      ? `the number of workers is an integer from 0 to ${maxWorkers}`
      : undefined;

  const submit = async (event?: React.SyntheticEvent) => {
    event?.preventDefault();
    if (problem !== undefined || count === '' || submitting) return;
    setSubmitting(true);
    setError(undefined);
    try {
      onScaled(await client.scaleCluster(name, { workerCount: count }));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Modal
      isOpen
      onClose={onClose}
      variant="small"
      aria-labelledby="scale-title"
      elementToFocus="#scale-workers"
      data-test="scale-dialog"
    >
      <ModalHeader title={`Scale ${name}`} labelId="scale-title" />
      <ModalBody>
        {error !== undefined && (
          <Alert variant="danger" isInline title="The cluster was not scaled" data-test="scale-alert">
            {error}
          </Alert>
        )}
        <Form id="scale-form" onSubmit={(event) => void submit(event)} noValidate>
          <FormGroup label="Workers" fieldId="scale-workers">
            <NumberInput
              value={count}
              min={0}
              max={maxWorkers}
              inputName="workers"
              inputAriaLabel="Number of workers"
              minusBtnAriaLabel="Fewer workers"
              plusBtnAriaLabel="More workers"
              validated={problem === undefined ? 'default' : 'error'}
              inputProps={{ id: 'scale-workers', 'data-test': 'scale-input' }}
              onMinus={() => {
                setCount(Math.max(0, (count || 0) - 1));
              }}
              onPlus={() => {
                setCount(Math.min(maxWorkers, (count || 0) + 1));
              }}
              onChange={(event) => {
                const text = (event.target as HTMLInputElement).value;
                setCount(text === '' ? '' : Number(text));
              }}
            />
            <FormHelperText>
              <HelperText aria-live="polite">
                {problem === undefined ? (
                  <HelperTextItem>Currently {workerCount} workers.</HelperTextItem>
                ) : (
                  <HelperTextItem variant="error" data-test="scale-error">
                    {problem}
                  </HelperTextItem>
                )}
              </HelperText>
            </FormHelperText>
          </FormGroup>
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button
          variant="primary"
          type="submit"
          form="scale-form"
          isLoading={submitting}
          isDisabled={submitting || problem !== undefined}
          data-test="scale-submit"
        >
          Scale
        </Button>
        <Button variant="link" onClick={onClose}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
