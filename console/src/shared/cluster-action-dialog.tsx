import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { DeleteClusterModal } from './delete-cluster-modal.js';
import { ScaleClusterModal } from './scale-cluster-modal.js';

/** What a page asked to do to one cluster; each asks in a dialog first. */
export type ClusterAction =
  | { readonly kind: 'scale'; readonly name: string; readonly workerCount: number }
  | { readonly kind: 'delete'; readonly name: string };

interface ClusterActionDialogProps {
  readonly action: ClusterAction | undefined;
  readonly onClose: () => void;
  readonly onScaled: (cluster: ClusterModel) => void;
  readonly onDeleted: (name: string) => void;
}

/** The scale or delete dialog a page opened, if any; the page decides what follows (a toast, a refresh, leaving). */
export function ClusterActionDialog({ action, onClose, onScaled, onDeleted }: ClusterActionDialogProps) {
  if (action === undefined) return null;
  if (action.kind === 'scale') {
    return (
      <ScaleClusterModal
        name={action.name}
        workerCount={action.workerCount}
        onClose={onClose}
        onScaled={onScaled}
      />
    );
  }
  return <DeleteClusterModal name={action.name} onClose={onClose} onDeleted={onDeleted} />;
}
