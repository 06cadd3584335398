import type { ReactNode } from 'react';
import { Button } from './Button';
import { EmptyState, ErrorNotice, Loading } from './feedback';
import type { PagedList } from './hooks';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

/**
 * A table that turns into stacked cards on a phone (each cell labelled by its
 * column through data-label), with loading, error, empty and paging built in.
 */
export function DataTable<T extends { id: string }>({
  caption,
  columns,
  list,
  empty,
}: {
  caption: string;
  columns: Column<T>[];
  list: PagedList<T>;
  empty: ReactNode;
}) {
  if (list.error) return <ErrorNotice error={list.error} onRetry={list.reload} />;
  if (list.initialLoading) return <Loading />;
  if (list.items.length === 0 && !list.hasPrevious) return <>{empty}</>;
  return (
    <div className="table-wrap" aria-busy={list.loading || undefined}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {list.items.map((row) => (
            <tr key={row.id}>
              {columns.map((c) => (
                <td key={c.header} data-label={c.header} className={c.className}>
                  {/* one grid item next to the label in the phone layout, however many nodes the cell has */}
                  <div>{c.cell(row)}</div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {list.items.length === 0 && <EmptyState title="No more entries." />}
      <Pager list={list} />
    </div>
  );
}

export function Pager({ list }: { list: PagedList<unknown> }) {
  if (!list.hasPrevious && !list.hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <Button onClick={list.previous} disabled={!list.hasPrevious || list.loading}>
        ← Previous
      </Button>
      <span aria-live="polite">Page {list.pageNumber}</span>
      <Button onClick={list.next} disabled={!list.hasNext || list.loading}>
        Next →
      </Button>
    </nav>
  );
}
