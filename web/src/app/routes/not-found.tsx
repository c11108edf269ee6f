import { useI18n } from '../../lib/i18n/i18n.js';
import { Link } from '../../lib/router.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { paths } from '../../config/paths.js';

export function NotFoundRoute() {
  const { t } = useI18n();
  useDocumentTitle(t('error.pageNotFound'));
  return (
    <section className="page">
      <h1>{t('error.pageNotFound')}</h1>
      <p>
        <Link to={paths.home()}>{t('nav.frameworks')}</Link>
      </p>
    </section>
  );
}
