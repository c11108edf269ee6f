import { useI18n } from '../../lib/i18n/i18n.js';
import { Link } from '../../lib/router.js';
import { paths } from '../../config/paths.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { Loading } from '../../components/ui/status.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { AuthoringHome } from '../../features/authoring/components/authoring-home.js';
import { FrameworkEditor } from '../../features/authoring/components/framework-editor.js';

/** /authoring (create a framework, those one may author) and /authoring/{id} (its editor), for signed-in authors. */
export function AuthoringRoute({ frameworkId }: { frameworkId?: string | undefined }) {
  const { t } = useI18n();
  const { user, loading } = useSession();
  useDocumentTitle(t('authoring.heading'));
  if (loading) return <Loading />;
  const here = frameworkId ? paths.authoringFramework(frameworkId) : paths.authoring();
  if (!user)
    return (
      <p className="page">
        <Link to={paths.signIn(here)}>{t('error.unauthorized')}</Link>
      </p>
    );
  if (frameworkId) return <FrameworkEditor key={frameworkId} fid={frameworkId} />;
  return (
    <section className="page">
      <h1>{t('authoring.heading')}</h1>
      <p className="lead">{t('authoring.intro')}</p>
      <AuthoringHome viewer={user.id} />
    </section>
  );
}
