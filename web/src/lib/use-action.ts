import { useCallback, useState } from 'react';
import type { ApiError } from './api-client.js';

/** A button's or form's request: busy while it runs, its ApiError kept to show (cleared when it runs again). */
export function useAction(): { busy: boolean; error: ApiError | undefined; run: (f: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = useCallback(async (f: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
