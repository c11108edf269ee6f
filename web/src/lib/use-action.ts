import { useCallback, useState } from 'react';
import { ApiError } from './api-client.js';

/**
 * A button's or form's request, one at a time (approve, dismiss, revoke, save): busy while it runs, then its result
 * line or its error. `run` returns the sentence to announce (or nothing); it throws an ApiError to show instead.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const act = useCallback(async (run: () => Promise<string | void>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult((await run()) ?? undefined);
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, result, error, act };
}
