import {
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
} from '@patternfly/react-core';
import { SearchIcon } from '@patternfly/react-icons';
import { Td, Tr } from '@patternfly/react-table';
import { COLUMNS } from './columns.js';

/** In place of the rows when no cluster name contains the filter, with a way to clear it. */
export function NoMatchRow({ filter, onClear }: { filter: string; onClear: () => void }) {
  return (
    <Tr>
      <Td colSpan={Object.keys(COLUMNS).length + 1}>
        <EmptyState
          titleText="No cluster matches the filter"
          headingLevel="h2"
          icon={SearchIcon}
          variant="sm"
          data-test="no-match"
        >
          <EmptyStateBody>No cluster name contains “{filter.trim()}”.</EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button variant="link" onClick={onClear}>
                Clear the filter
              </Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      </Td>
    </Tr>
  );
}
