import { useI18n } from '../../../lib/i18n/i18n.js';
import { Link } from '../../../lib/router.js';
import { paths } from '../../../config/paths.js';
import { useSession } from '../hooks/use-session.js';

/** The header's account corner: who is signed in and a sign-out button, or a sign-in link. */
export function UserMenu({ currentPath }: { currentPath: string }) {
  const { t } = useI18n();
  const { user, loading, signOut } = useSession();
  if (loading) return null;
  if (!user) {
    return (
      <Link className="button secondary" to={paths.signIn(currentPath)}>
        {t('nav.signIn')}
      </Link>
    );
  }
  const name = user.displayName || user.username;
  return (
    <div className="user-menu">
      <span className="user-name">
        <span className="visually-hidden">{t('nav.signedInAs', { name })}</span>
        <span aria-hidden="true">{name}</span>
      </span>
      <button type="button" className="button secondary" onClick={() => void signOut()}>
        {t('nav.signOut')}
      </button>
    </div>
  );
}
