import { useCallback, useEffect, useRef, useState } from "react";
import { call } from "../api/client";
import type { ApiError } from "../api/types";
import { useLoad, type Loaded } from "./hooks";

/** A page of a list as the API answers it: its items and where the next page starts. */
export interface PageAnswer {
  nextCursor?: string;
}

export interface Paged<P, T> {
  /** The first page, loaded as any GET (its error, loading and reload). */
  first: Loaded<P>;
  /** Every item loaded so far, the first page's and each "more" page's, in order. */
  items: T[];
  /** Whether the API said there is more after what is loaded. */
  hasMore: boolean;
  loadingMore: boolean;
  /** Why the last "more" page failed; the items loaded before stay. */
  moreError: ApiError | null;
  loadMore: () => Promise<void>;
}

/**
 * Loads a paged list: the first page once `deps` change (as useLoad does), then each next
 * page on loadMore, appended to what is shown. Reloading starts again from the first page,
 * so nothing shown is stale.
 */
export function usePaged<P extends PageAnswer, T>(
  load: (cursor: string | undefined) => Promise<{ data?: P; error?: unknown; response: Response }>,
  itemsOf: (page: P) => T[],
  deps: readonly unknown[],
  enabled = true,
): Paged<P, T> {
  const first = useLoad(() => load(undefined), deps, enabled);
  const [more, setMore] = useState<{ items: T[]; next?: string }>({ items: [] });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const itemsRef = useRef(itemsOf);
  itemsRef.current = itemsOf;

  // A new first page (a reload, other deps) drops the pages loaded after the old one.
  useEffect(() => {
    setMore({ items: [] });
    setMoreError(null);
  }, [first.data]);

  const next = more.next ?? (more.items.length === 0 ? first.data?.nextCursor : undefined);
  const loadMore = useCallback(async () => {
    if (!next) return;
    setLoadingMore(true);
    const r = await call<P>(loadRef.current(next));
    setLoadingMore(false);
    if (!r.ok) {
      setMoreError(r.error);
      return;
    }
    setMoreError(null);
    setMore((m) => ({ items: [...m.items, ...itemsRef.current(r.data)], next: r.data.nextCursor ?? "" }));
  }, [next]);

  const items = first.data ? [...itemsOf(first.data), ...more.items] : [];
  return { first, items, hasMore: Boolean(next), loadingMore, moreError, loadMore };
}

/** How many pages allPages follows at most: a list longer than this is not one to show whole. */
const MAX_PAGES = 100;

/**
 * Loads every page of a list, for a view that needs the whole of it (a choice among all the
 * organization's certificates, one certificate found by its fingerprint) rather than the
 * page a table shows: the answer is the first page's with every page's items, or the first
 * failed page's answer.
 */
export async function allPages<P extends PageAnswer, T>(
  load: (cursor: string | undefined) => Promise<{ data?: P; error?: unknown; response: Response }>,
  itemsOf: (page: P) => T[],
  withItems: (page: P, items: T[]) => P,
): Promise<{ data?: P; error?: unknown; response: Response }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; ; i++) {
    const r = await load(cursor);
    if (!r.data) return r;
    items.push(...itemsOf(r.data));
    if (!r.data.nextCursor || i + 1 >= MAX_PAGES) return { ...r, data: withItems({ ...r.data, nextCursor: undefined }, items) };
    cursor = r.data.nextCursor;
  }
}
