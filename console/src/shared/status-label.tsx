import { Label, Tooltip } from '@patternfly/react-core';
import {
  BanIcon,
  CheckCircleIcon,
  ExclamationCircleIcon,
  ExclamationTriangleIcon,
  InProgressIcon,
  PauseCircleIcon,
  QuestionCircleIcon,
} from '@patternfly/react-icons';
import type { ClusterSummary } from '../../../src/client/oshinko-client.js';

type LabelColor = 'green' | 'blue' | 'red' | 'orange' | 'grey';
interface Look {
  readonly color: LabelColor;
  readonly icon: React.ReactNode;
}

const LOOK: Readonly<Record<string, Look>> = {
  Running: { color: 'green', icon: <CheckCircleIcon /> },
  Creating: { color: 'blue', icon: <InProgressIcon /> },
  Scaling: { color: 'blue', icon: <InProgressIcon /> },
  Recovering: { color: 'orange', icon: <InProgressIcon /> },
  Degraded: { color: 'red', icon: <ExclamationCircleIcon /> },
  Incomplete: { color: 'orange', icon: <ExclamationTriangleIcon /> },
  Stopped: { color: 'grey', icon: <PauseCircleIcon /> },
  Deleting: { color: 'grey', icon: <InProgressIcon /> },
  Lost: { color: 'red', icon: <BanIcon /> },
};
const UNKNOWN: Look = { color: 'grey', icon: <QuestionCircleIcon /> };

/** The status of a cluster, by color, icon and word (never by color alone); the reason in a tooltip. */
export function StatusLabel({
  status,
  reason,
}: {
  status: ClusterSummary['status'];
  reason?: string | undefined;
}) {
  const look = LOOK[status] ?? UNKNOWN;
  const label = (
    <Label color={look.color} icon={look.icon} data-test="cluster-status" data-status={status}>
      {status}
    </Label>
  );
  if (reason === undefined || reason === '') return label;
  return (
    <Tooltip content={reason}>
      <span tabIndex={0} aria-label={`${status}: ${reason}`}>
        {label}
      </span>
    </Tooltip>
  );
}
