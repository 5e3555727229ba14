import { useState } from 'react';
import { Alert, Button, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { useApi } from '../api-context.js';
import { errorMessage } from './format.js';

interface DeleteClusterModalProps {
  readonly name: string;
  readonly onClose: () => void;
  readonly onDeleted: (name: string) => void;
}

export function DeleteClusterModal({ name, onClose, onDeleted }: DeleteClusterModalProps) {
  const { client } = useApi();
  const [error, setError] = useState<string | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);

  const confirm = async () => {
    setDeleting(true);
    setError(undefined);
    try {
      await client.deleteCluster(name);
      onDeleted(name);
    } catch (caught) {
      setError(errorMessage(caught));
      setDeleting(false);
    }
  };

  return (
    <Modal
      isOpen
      onClose={onClose}
      variant="small"
      aria-labelledby="delete-title"
      aria-describedby="delete-body"
      data-test="delete-dialog"
    >
      <ModalHeader title={`Delete cluster ${name}?`} titleIconVariant="warning" labelId="delete-title" />
      <ModalBody id="delete-body">
        {error !== undefined && (
          <Alert variant="danger" isInline title="The cluster was not deleted" data-test="delete-alert">
            {error}
          </Alert>
        )}
        The master, every worker and every object of <strong>{name}</strong> will be removed. Applications
        running on it will fail.
      </ModalBody>
      <ModalFooter>
        <Button
          variant="danger"
          onClick={() => void confirm()}
          isLoading={deleting}
          isDisabled={deleting}
          data-test="delete-confirm"
        >
          Delete
        </Button>
        <Button variant="link" onClick={onClose} data-test="delete-cancel">
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}
