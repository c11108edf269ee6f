import { useI18n } from '../../lib/i18n/i18n.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { SearchPage } from '../../features/search/components/search-page.js';
import { Loading } from '../../components/ui/status.js';

export function SearchRoute() {
  const { t } = useI18n();
  const { user, loading } = useSession();
  useDocumentTitle(t('search.heading'));
  return (
    <section className="page">
      <h1>{t('search.heading')}</h1>
      <p className="lead">{t('search.intro')}</p>
      {loading ? <Loading /> : <SearchPage viewer={user?.id ?? ''} />}
    </section>
  );
}
