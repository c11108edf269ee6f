import { useI18n } from '../../lib/i18n/i18n.js';
import { Link, useRouter } from '../../lib/router.js';
import { paths } from '../../config/paths.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { Loading } from '../../components/ui/status.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { useFrameworks } from '../../features/frameworks/api/get-frameworks.js';
import { defaultFramework } from '../../features/frameworks/lib/default-framework.js';
import { AchievementEditor } from '../../features/badges/components/achievement-editor.js';
import { IssuerKeys } from '../../features/badges/components/issuer-keys.js';
import { ObClients } from '../../features/badges/components/ob-clients.js';

/**
 * /badges/achievements?framework=: a framework's achievements (authors and admins edit them); for admins, the issuers'
 * keys and DID methods, and the Open Badges API clients.
 */
export function AchievementsRoute() {
  const { t } = useI18n();
  const { location, navigate } = useRouter();
  const { user, loading } = useSession();
  const frameworks = useFrameworks(user?.id ?? '');
  useDocumentTitle(t('achievements.heading'));
  if (loading || frameworks.loading) return <Loading />;
  if (!user)
    return (
      <p className="page">
        <Link to={paths.signIn(location.pathname + (location.search.size ? `?${location.search}` : ''))}>{t('error.unauthorized')}</Link>
      </p>
    );
  const list = frameworks.data ?? [];
  const framework = list.find((d) => d.identifier === location.search.get('framework'))?.identifier ?? defaultFramework(list);
  const admin = !!user.roles?.some((r) => r.role === 'admin');
  return (
    <section className="page">
      <h1>{t('achievements.heading')}</h1>
      <p className="lead">{t('achievements.intro')}</p>
      <label>
        {t('relations.framework')}{' '}
        <select value={framework ?? ''} onChange={(e) => navigate(paths.achievements({ framework: e.target.value }), { replace: true })}>
          {list.map((d) => (
            <option key={d.identifier} value={d.identifier}>
              {d.title}
            </option>
          ))}
        </select>
      </label>
      {framework && <AchievementEditor key={framework} framework={framework} />}
      {admin && (
        <section aria-labelledby="issuers-title">
          <h2 id="issuers-title">{t('issuers.heading')}</h2>
          <p className="muted small">{t('issuers.note')}</p>
          <p className="muted small">{t('issuers.didNote')}</p>
          <IssuerKeys />
        </section>
      )}
      {admin && (
        <section aria-labelledby="ob-clients-title">
          <h2 id="ob-clients-title">{t('obClients.heading')}</h2>
          <p className="muted small">{t('obClients.note')}</p>
          <ObClients />
        </section>
      )}
    </section>
  );
}
