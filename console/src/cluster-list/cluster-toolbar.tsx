import { SearchInput, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { ClusterPagination } from './cluster-pagination.js';
import type { FilteredPages } from './use-filtered-pages.js';

/** Above the table: the filter by name and the compact page controls. */
export function ClusterToolbar({ view }: { view: FilteredPages<unknown> }) {
  return (
    <Toolbar data-test="cluster-toolbar">
      <ToolbarContent>
        <ToolbarItem>
          <SearchInput
            placeholder="Filter by name"
            aria-label="Filter clusters by name"
            value={view.filter}
            onChange={(_event, value) => {
              view.setFilter(value);
            }}
            onClear={() => {
              view.setFilter('');
            }}
            data-test="cluster-filter"
          />
        </ToolbarItem>
        <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
          <ClusterPagination variant="top" view={view} />
        </ToolbarItem>
      </ToolbarContent>
    </Toolbar>
  );
}
