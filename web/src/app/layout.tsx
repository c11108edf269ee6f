import type { ReactNode } from 'react';
import { useI18n } from '../lib/i18n/i18n.js';
import { Link, useRouter } from '../lib/router.js';
import { paths } from '../config/paths.js';
import { LanguageSwitch } from '../components/ui/language-switch.js';
import { UserMenu } from '../features/auth/components/user-menu.js';
import { useSession } from '../features/auth/hooks/use-session.js';

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { location } = useRouter();
  // The achievements editor is for those who may edit or decide (learners would only meet a 403 there).
  const staff = useSession().user?.roles?.some((r) => ['admin', 'author', 'teacher'].includes(r.role));
  const here = location.pathname + (location.search.size ? `?${location.search}` : '');
  return (
    <>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <header className="site-header">
        <Link to={paths.home()} className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </Link>
        <nav aria-label={t('nav.label')} className="site-nav">
          <Link to={paths.home()}>{t('nav.frameworks')}</Link>
          <Link to={paths.search()}>{t('nav.search')}</Link>
          <Link to={paths.relations()}>{t('nav.relations')}</Link>
          <Link to={paths.crosswalks()}>{t('nav.crosswalks')}</Link>
          <Link to={paths.map()}>{t('nav.map')}</Link>
          <Link to={paths.dashboard()}>{t('nav.dashboard')}</Link>
          <Link to={paths.passport()}>{t('nav.passport')}</Link>
          {staff && <Link to={paths.achievements()}>{t('nav.achievements')}</Link>}
          <Link to={paths.suppliers()}>{t('nav.suppliers')}</Link>
          {staff && <Link to={paths.authoring()}>{t('nav.authoring')}</Link>}
          <a href={paths.apiDocs()}>{t('nav.apiDocs')}</a>
        </nav>
        <div className="header-tools">
          <LanguageSwitch />
          {location.pathname !== paths.signIn() && <UserMenu currentPath={here} />}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>{t('footer.attribution')}</p>
      </footer>
    </>
  );
}
