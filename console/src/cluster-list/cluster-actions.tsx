import { MenuToggle } from '@patternfly/react-core';
import { EllipsisVIcon } from '@patternfly/react-icons';
import { ActionsColumn } from '@patternfly/react-table';
import type { ClusterSummary } from '../../../src/client/oshinko-client.js';

interface ClusterActionsProps {
  readonly cluster: ClusterSummary;
  readonly onScale: (cluster: ClusterSummary) => void;
  readonly onDelete: (name: string) => void;
}

/** The row menu (⋮): Scale, Delete; each opens its dialog. */
export function ClusterActions({ cluster, onScale, onDelete }: ClusterActionsProps) {
  return (
    <ActionsColumn
      items={[
        {
          title: 'Scale',
          onClick: () => {
            onScale(cluster);
          },
        },
        {
          title: 'Delete',
          onClick: () => {
            onDelete(cluster.name);
          },
        },
      ]}
      actionsToggle={({ onToggle, isOpen, toggleRef, isDisabled }) => (
        <MenuToggle
          ref={toggleRef}
          variant="plain"
          onClick={onToggle}
          isExpanded={isOpen}
          isDisabled={isDisabled}
          aria-label={`Actions for ${cluster.name}`}
          icon={<EllipsisVIcon />}
          data-test="cluster-actions"
        />
      )}
    />
  );
}
