import { memo, useState } from 'react';
import { Button } from '@patternfly/react-core';
import { PlusCircleIcon } from '@patternfly/react-icons';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { DeployClusterModal } from '../deploy-cluster/deploy-cluster-modal.js';

/**
 * The "Deploy cluster" button with its own dialog: opening, typing into and closing the dialog re-render this
 * component alone, never the list.
 */
export const DeployClusterButton = memo(function DeployClusterButton({
  onDeployed,
}: {
  onDeployed: (cluster: ClusterModel) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="primary"
        icon={<PlusCircleIcon />}
        onClick={() => {
          setOpen(true);
        }}
        data-test="deploy-button"
      >
        Deploy cluster
      </Button>
      <DeployClusterModal
        isOpen={open}
        onClose={() => {
          setOpen(false);
        }}
        onDeployed={(cluster) => {
          setOpen(false);
          onDeployed(cluster);
        }}
      />
    </>
  );
});
