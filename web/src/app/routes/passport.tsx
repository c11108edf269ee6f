import { lazy, Suspense, useState } from 'react';
import { useI18n } from '../../lib/i18n/i18n.js';
import { Link } from '../../lib/router.js';
import { paths } from '../../config/paths.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { ErrorMessage, Loading } from '../../components/ui/status.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { useMe } from '../../features/progress/api/get-me.js';
import { useFrameworks } from '../../features/frameworks/api/get-frameworks.js';
import { defaultFramework } from '../../features/frameworks/lib/default-framework.js';
import { usePassport } from '../../features/badges/api/badges.js';
import { PassportBadges } from '../../features/badges/components/passport.js';
import { useOwnMapBadges } from '../../features/badges/hooks/use-map-badges.js';
import { ConnectedApps } from '../../features/badges/components/connected-apps.js';

// The map carries cytoscape (≈ 0.5 MB): loaded after the badges are shown.
const MapExplorer = lazy(() => import('../../features/map/components/map-explorer.js').then((m) => ({ default: m.MapExplorer })));

/**
 * /passport: the signed-in learner's own badges, with their learning map beside them (badged items marked);
 * "show on the map" selects a badge's item there. Below, the apps they allowed to reach their badges.
 */
export function PassportRoute() {
  const { t } = useI18n();
  const { user, loading } = useSession();
  const me = useMe(!!user);
  const frameworks = useFrameworks(user?.id ?? '');
  const passport = usePassport(user?.id ?? null);
  const badges = useOwnMapBadges(user?.id ?? null);
  const [item, setItem] = useState<string>();
  useDocumentTitle(t('badges.passport'));
  if (loading) return <Loading />;
  if (!user)
    return (
      <p className="page">
        <Link to={paths.signIn(paths.passport())}>{t('error.unauthorized')}</Link>
      </p>
    );
  const framework = me.data?.classes.find((c) => c.framework)?.framework ?? defaultFramework(frameworks.data);
  const learner = passport.data?.learnerId;
  return (
    <section className="page passport">
      <h1>{t('badges.passport')}</h1>
      <p className="muted">{t('badges.passportNote')}</p>
      {passport.loading && <Loading />}
      {passport.error && <ErrorMessage error={passport.error} onRetry={passport.reload} />}
      {passport.data && (
        <div className="passport-layout">
          <div className="passport-badges">
            <PassportBadges credentials={passport.data.credentials} ob2Recipient={passport.data.ob2Recipient} selectedItem={item} onShowOnMap={setItem} />
          </div>
          {learner && framework && (
            <section className="passport-map" aria-labelledby="passport-map-title">
              <h2 id="passport-map-title">{t('badges.passportMap')}</h2>
              <p className="muted small">
                {t('badges.passportMapNote')} <Link to={paths.map()}>{t('nav.map')}</Link>
              </p>
              <Suspense fallback={<Loading />}>
                <MapExplorer compact framework={framework} learner={learner} itemId={item} onItem={setItem} badges={badges} />
              </Suspense>
            </section>
          )}
        </div>
      )}
      {user.roles?.some((r) => r.role === 'learner') && <ConnectedApps userId={user.id} />}
    </section>
  );
}
