import type { Paged } from "../lib/paging";
import { ErrorReference } from "./FormAlert";

interface Props<P, T> {
  /** Prefix of the element ids, for example "audit" gives "audit-more". */
  id: string;
  list: Paged<P, T>;
  /** What one item is and what several are, for example "entry" and "entries". */
  one: string;
  many: string;
}

/** The end of a paged list: how many are shown, and a button for the next page while there is one. */
export function ShowMore<P, T>({ id, list, one, many }: Props<P, T>) {
  const n = list.items.length;
  if (n === 0) return null;
  return (
    <div className="show-more">
      <p id={`${id}-count`} className="muted" role="status">
        {list.hasMore ? `Showing the first ${n} ${n === 1 ? one : many}.` : n === 1 ? `1 ${one}.` : `All ${n} ${many} shown.`}
      </p>
      {list.moreError && (
        <div id={`${id}-more-error`} className="panel panel--error" role="alert">
          <p>
            <strong>{list.moreError.message}</strong>
          </p>
          <ErrorReference error={list.moreError} />
        </div>
      )}
      {list.hasMore && (
        <button
          id={`${id}-more`}
          type="button"
          className="button button--secondary"
          onClick={() => void list.loadMore()}
          disabled={list.loadingMore}
          aria-busy={list.loadingMore || undefined}
        >
          {list.loadingMore ? "Loading…" : `Show more ${many}`}
        </button>
      )}
    </div>
  );
}
