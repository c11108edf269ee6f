import { useEffect } from 'react';
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

  useEffect(() => {
    if (user) navigate(next, { replace: true });
  }, [user, next, navigate]);

  return (
    <section className="page narrow">
      <SignInForm onSignedIn={() => navigate(next, { replace: true })} />
    </section>
  );
}
