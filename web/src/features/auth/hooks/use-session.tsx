import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setCsrfToken, type ApiError } from '../../../lib/api-client.js';
import { invalidateQueries } from '../../../lib/use-query.js';
import { getSession } from '../api/get-session.js';
import { signIn as postSignIn, type SignInInput } from '../api/sign-in.js';
import { signOut as postSignOut } from '../api/sign-out.js';
import type { Session, User } from '../api/types.js';

interface SessionState {
  user: User | null;
  /** True until the first session check answers. */
  loading: boolean;
  error: ApiError | undefined;
  signIn: (input: SignInInput) => Promise<User>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError>();

  const apply = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrfToken);
    setSession(s);
    // What a person may see depends on who they are: refetch everything.
    invalidateQueries();
  }, []);

  useEffect(() => {
    getSession().then(
      (s) => {
        setCsrfToken(s?.csrfToken);
        setSession(s);
        setLoading(false);
      },
      (e: ApiError) => {
        setError(e);
        setLoading(false);
      },
    );
  }, []);

  const signIn = useCallback(
    async (input: SignInInput) => {
      const s = await postSignIn(input);
      apply(s);
      return s.user;
    },
    [apply],
  );

  const signOut = useCallback(async () => {
    try {
      await postSignOut();
    } finally {
      apply(null);
    }
  }, [apply]);

  const value = useMemo(() => ({ user: session?.user ?? null, loading, error, signIn, signOut }), [session, loading, error, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
