import { useI18n } from '../../lib/i18n/i18n.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { Link } from '../../lib/router.js';
import { paths } from '../../config/paths.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { CrosswalkEditor, CrosswalkList } from '../../features/crosswalks/components/crosswalks-page.js';
import { Loading } from '../../components/ui/status.js';

/** /crosswalks (the list) and /crosswalks/:id (one crosswalk's two-pane editor). */
export function CrosswalksRoute({ id }: { id?: string | undefined }) {
  const { t } = useI18n();
  const { user, loading } = useSession();
  useDocumentTitle(t('crosswalks.heading'));
  const mayCreate = Boolean(user?.roles?.some((r) => r.role === 'admin' || r.role === 'author'));
  return (
    <section className="page">
      <h1>{t('crosswalks.heading')}</h1>
      {id ? <p><Link to={paths.crosswalks()}>{t('crosswalks.back')}</Link></p> : <p className="lead">{t('crosswalks.intro')}</p>}
      {loading ? <Loading /> : id ? <CrosswalkEditor viewer={user?.id ?? ''} id={id} /> : <CrosswalkList viewer={user?.id ?? ''} mayCreate={mayCreate} />}
    </section>
  );
}
