import { useCallback, useState } from 'react';
import { ApiError } from '../../../lib/api-client.js';

/**
 * One decision at a time (approve, dismiss, revoke, save): busy while it runs, then its result line or its error.
 * `run` returns the sentence to announce; it throws an ApiError to show instead.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const act = useCallback(async (run: () => Promise<string>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await run());
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
