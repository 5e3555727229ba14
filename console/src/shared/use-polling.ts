import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  /** The last successful answer; kept while a refresh runs or fails, so the page does not flicker. */
  readonly data: T | undefined;
  /** The error of the last attempt, cleared by the next success. */
  readonly error: Error | undefined;
  readonly loading: boolean;
  /** Fetches now (e.g. after a change) without waiting for the next tick. */
  readonly refresh: () => Promise<void>;
}

/**
 * Calls `load` (keep it stable with useCallback) now and then every `intervalMs` after the previous call
 * settled, so slow answers never pile up; stops on unmount. Only the newest call's answer is kept.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const value = await load();
      if (mine !== generation.current) return;
      setData(value);
      setError(undefined);
    } catch (caught) {
      if (mine !== generation.current) return;
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [load]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      await refresh();
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [refresh, intervalMs]);

  return { data, error, loading, refresh };
}
