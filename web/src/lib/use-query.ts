import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api-client.js';

/**
 * A small cached query hook (the part of a query library this UI needs): one in-flight request per key, results
 * kept until invalidated, so moving between items of a framework does not refetch its package.
 */
type Entry = { promise: Promise<unknown>; settled: boolean; data?: unknown; error?: ApiError };
const cache = new Map<string, Entry>();
const listeners = new Set<() => void>();

export interface QueryResult<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

function load(key: string, fetcher: () => Promise<unknown>): Entry {
  let entry = cache.get(key);
  if (!entry) {
    const created: Entry = {
      settled: false,
      promise: fetcher().then(
        (data) => {
          created.data = data;
        },
        (e: unknown) => {
          created.error = e instanceof ApiError ? e : new ApiError(0, 'internal', e instanceof Error ? e.message : String(e));
        },
      ).finally(() => {
        created.settled = true;
      }),
    };
    entry = created;
    cache.set(key, entry);
  }
  return entry;
}

/** Drops cached results whose key starts with `prefix` (all when omitted); mounted queries refetch. */
export function invalidateQueries(prefix = ''): void {
  for (const key of [...cache.keys()]) if (key.startsWith(prefix)) cache.delete(key);
  for (const l of listeners) l();
}

/** `key` null means "not yet" (e.g. waiting for a parameter). */
export function useQuery<T>(key: string | null, fetcher: () => Promise<T>): QueryResult<T> {
  const [, setTick] = useState(0);
  const rerender = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    listeners.add(rerender);
    return () => {
      listeners.delete(rerender);
    };
  }, [rerender]);

  const entry = key === null ? undefined : load(key, fetcher);
  const settledAtRender = entry?.settled;
  useEffect(() => {
    if (!entry) return;
    // Settled between this render and the effect (a fast answer): the render showed "loading", so render again.
    if (entry.settled) {
      if (!settledAtRender) rerender();
      return;
    }
    let live = true;
    void entry.promise.then(() => live && rerender());
    return () => {
      live = false;
    };
  }, [entry, settledAtRender, rerender]);

  const reload = useCallback(() => key !== null && invalidateQueries(key), [key]);
  return {
    data: entry?.data as T | undefined,
    error: entry?.error,
    loading: !!entry && !entry.settled,
    reload,
  };
}
