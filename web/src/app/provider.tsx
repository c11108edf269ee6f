import type { ReactNode } from 'react';
import { I18nProvider } from '../lib/i18n/i18n.js';
import { RouterProvider } from '../lib/router.js';
import { SessionProvider } from '../features/auth/hooks/use-session.js';

export function AppProvider({ children }: { children: ReactNode }) {
  return (
    <I18nProvider>
      <RouterProvider>
        <SessionProvider>{children}</SessionProvider>
      </RouterProvider>
    </I18nProvider>
  );
}
