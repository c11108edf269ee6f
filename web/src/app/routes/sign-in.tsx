import { useCallback, useEffect } from 'react';
import { useI18n } from '../../lib/i18n/i18n.js';
import { useRouter } from '../../lib/router.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { paths } from '../../config/paths.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { SignInForm } from '../../features/auth/components/sign-in-form.js';

/** Only same-site paths: `?next=` must not send anyone to another site after signing in. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : paths.home());

export function SignInRoute() {
  const { t } = useI18n();
  const { location, navigate } = useRouter();
  const { user } = useSession();
  const next = safeNext(location.search.get('next'));
  useDocumentTitle(t('auth.heading'));

  // Server pages (the OAuth consent page, docs/badges.md) are not UI routes: the browser loads them.
  const leave = useCallback(() => (next.startsWith('/oauth/') ? window.location.assign(next) : navigate(next, { replace: true })), [next, navigate]);

  useEffect(() => {
    if (user) leave();
  }, [user, leave]);

  return (
    <section className="page narrow">
      <SignInForm onSignedIn={leave} />
    </section>
  );
}
