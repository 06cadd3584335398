import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/errors';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'client_error', err instanceof Error ? err.message : String(err));
}

/** Keeps the latest function in a ref so effects can call it without re-running when it changes identity. */
function useLatest<F>(fn: F) {
  const ref = useRef(fn);
  useEffect(() => {
    ref.current = fn;
  });
  return ref;
}

/**
 * One resource: `const customer = useLoad(() => call(api.GET(...)), id)`.
 * Re-loads when `key` changes; stale answers of an earlier key are dropped.
 */
export function useLoad<T>(load: () => Promise<T>, key: string) {
  const loadRef = useLatest(load);
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ key: string; data: T | null; error: ApiError | null; loading: boolean }>({ key, data: null, error: null, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ key, data: s.key === key ? s.data : null, error: null, loading: true }));
    loadRef.current().then(
      (data) => live && setState({ key, data, error: null, loading: false }),
      (err) => live && setState({ key, data: null, error: asApiError(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick, loadRef]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const replace = useCallback((data: T) => setState((s) => ({ ...s, data, error: null, loading: false })), []);
  const current = state.key === key ? state : { data: null, error: null, loading: true };
  return { data: current.data, error: current.error, loading: current.loading, reload, replace };
}

/**
 * A keyset-paginated list (`{ items, nextCursor }`). Keeps the cursors of the
 * pages seen so far, so Previous goes back without the API paging backwards.
 * A new `key` (the filters) starts again at the first page.
 */
export function usePagedList<T>(load: (cursor: string | undefined) => Promise<Page<T>>, key: string) {
  const loadRef = useLatest(load);
  const [nav, setNav] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = nav.key === key ? nav.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ page: Page<T> | null; error: ApiError | null; loading: boolean }>({ page: null, error: null, loading: true });

  useEffect(() => {
    if (nav.key !== key) setNav({ key, cursors: [undefined] });
  }, [key, nav.key]);

  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, error: null, loading: true }));
    loadRef.current(cursor).then(
      (page) => live && setState({ page, error: null, loading: false }),
      (err) => live && setState({ page: null, error: asApiError(err), loading: false }),
    );
    return () => {
      live = false;
    };
    // cursors.length: two pages never share a cursor, but the first page has none
  }, [key, cursor, cursors.length, tick, loadRef]);

  const nextCursor = state.page?.nextCursor ?? null;
  return {
    items: state.page?.items ?? [],
    /** True before the first answer: show a loading state instead of an empty one. */
    initialLoading: state.loading && state.page === null,
    loading: state.loading,
    error: state.error,
    pageNumber: cursors.length,
    hasPrevious: cursors.length > 1,
    hasNext: nextCursor !== null,
    next: () => nextCursor && setNav({ key, cursors: [...cursors, nextCursor] }),
    previous: () => cursors.length > 1 && setNav({ key, cursors: cursors.slice(0, -1) }),
    reload: () => setTick((t) => t + 1),
  };
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;

/**
 * A form's submission: busy while it runs, the API's error kept for the form
 * (field messages next to fields, the rest in a banner).
 */
export function useSubmit<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const actionRef = useLatest(action);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await actionRef.current(...args);
      } catch (err) {
        setError(asApiError(err));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [actionRef],
  );
  return {
    run,
    busy,
    error,
    fieldError: (field: string): string | undefined => error?.fieldErrors[field]?.join(' '),
    /** The banner text: what no field shows, or a pointer to the fields. */
    formError: (shownFields: readonly string[]): string | null => {
      if (!error) return null;
      return error.hasErrorsBeyond(shownFields) ? error.message : 'Please correct the fields marked below.';
    },
    clear: () => setError(null),
  };
}

export type Submission = ReturnType<typeof useSubmit>;
