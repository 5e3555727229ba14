import { Alert, Button, Form, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { AdvancedSection } from './advanced-section.js';
import { FIELD_IDS } from './field-ids.js';
import { NameField } from './name-field.js';
import { useDeployForm } from './use-deploy-form.js';
import { useLocalImages } from './use-local-images.js';
import { WorkersField } from './workers-field.js';

interface DeployClusterModalProps {
  readonly isOpen: boolean;
  readonly onClose: () => void;
  readonly onDeployed: (cluster: ClusterModel) => void;
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
  const { binding, advanced, setAdvanced, alert, submitting, submit, reset } = useDeployForm(onDeployed);
  const choices = useLocalImages(isOpen);

  // Cancel starts the next deploy from a clean form; an error keeps the input (see useDeployForm).
  const close = () => {
    reset();
    onClose();
  };

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
          <NameField {...binding} />
          <WorkersField {...binding} />
          <AdvancedSection binding={binding} choices={choices} isExpanded={advanced} onToggle={setAdvanced} />
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
