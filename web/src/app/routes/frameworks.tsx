import { useI18n } from '../../lib/i18n/i18n.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { FrameworkList } from '../../features/frameworks/components/framework-list.js';
import { Loading } from '../../components/ui/status.js';

export function FrameworksRoute() {
  const { t } = useI18n();
  const { user, loading } = useSession();
  useDocumentTitle(t('frameworks.heading'));
  return (
    <section className="page">
      <h1>{t('frameworks.heading')}</h1>
      <p className="lead">{t('frameworks.intro')}</p>
      {loading ? <Loading /> : <FrameworkList viewer={user?.id ?? ''} />}
    </section>
  );
}
