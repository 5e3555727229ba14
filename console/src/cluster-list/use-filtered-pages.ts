import { useMemo, useState } from 'react';

export const PER_PAGE_DEFAULT = 20;
export const PER_PAGE_CHOICES = [10, 20, 50, 100] as const;

/** The filter by name and the page of the list that is shown. */
export interface FilteredPages<T> {
  readonly filter: string;
  /** A new filter starts again at the first page. */
  readonly setFilter: (text: string) => void;
  /** The items whose name contains the filter, case-insensitively; undefined until the items are read. */
  readonly matching: readonly T[] | undefined;
  /** The items on the shown page. */
  readonly shown: readonly T[];
  readonly page: number;
  readonly perPage: number;
  readonly setPage: (page: number) => void;
  readonly setPerPage: (perPage: number, page: number) => void;
}

/** Filters items by name and pages through them; the page stays within range when items disappear. */
export function useFilteredPages<T extends { readonly name: string }>(
  items: readonly T[] | undefined,
): FilteredPages<T> {
  const [filter, setFilterText] = useState('');
  const [page, setPage] = useState(1);
  const [perPage, setPerPageOnly] = useState(PER_PAGE_DEFAULT);

  const matching = useMemo(() => {
    const wanted = filter.trim().toLowerCase();
    if (items === undefined || wanted === '') return items;
    return items.filter((item) => item.name.toLowerCase().includes(wanted));
  }, [items, filter]);

  // Keeps the page within range when items disappear (deleted here or elsewhere) or the filter narrows.
  const lastPage = Math.max(1, Math.ceil((matching?.length ?? 0) / perPage));
  if (matching !== undefined && page > lastPage) setPage(lastPage);
  const shownPage = Math.min(page, lastPage);

  return {
    filter,
    setFilter: (text) => {
      setFilterText(text);
      setPage(1);
    },
    matching,
    shown: matching?.slice((shownPage - 1) * perPage, shownPage * perPage) ?? [],
    page: shownPage,
    perPage,
    setPage,
    setPerPage: (next, nextPage) => {
      setPerPageOnly(next);
      setPage(nextPage);
    },
  };
}
