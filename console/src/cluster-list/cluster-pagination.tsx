import { Pagination, PaginationVariant } from '@patternfly/react-core';
import { PER_PAGE_CHOICES, type FilteredPages } from './use-filtered-pages.js';

const PER_PAGE_OPTIONS = PER_PAGE_CHOICES.map((value) => ({ title: String(value), value }));

/** Page controls: compact above the table, full below it. */
export function ClusterPagination({
  variant,
  view,
}: {
  variant: 'top' | 'bottom';
  view: FilteredPages<unknown>;
}) {
  return (
    <Pagination
      itemCount={view.matching?.length ?? 0}
      page={view.page}
      perPage={view.perPage}
      perPageOptions={PER_PAGE_OPTIONS}
      onSetPage={(_event, next) => {
        view.setPage(next);
      }}
      onPerPageSelect={(_event, next, nextPage) => {
        view.setPerPage(next, nextPage);
      }}
      variant={variant === 'top' ? PaginationVariant.top : PaginationVariant.bottom}
      isCompact={variant === 'top'}
      widgetId={`cluster-pagination-${variant}`}
      titles={{ paginationAriaLabel: `Cluster list pages (${variant})` }}
      data-test={`cluster-pagination-${variant}`}
    />
  );
}
