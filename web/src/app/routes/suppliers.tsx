import { useI18n } from '../../lib/i18n/i18n.js';
import { useDocumentTitle } from '../../lib/use-document-title.js';
import { useSession } from '../../features/auth/hooks/use-session.js';
import { ClientRequestForm } from '../../features/suppliers/components/client-request-form.js';
import { ClaimSecret } from '../../features/suppliers/components/claim-secret.js';
import { AlignmentCheck } from '../../features/suppliers/components/alignment-check.js';
import { ClientRequestsAdmin, ClientUsageTable } from '../../features/suppliers/components/client-requests-admin.js';
import '../../features/suppliers/components/suppliers.css';

/**
 * /suppliers (docs/suppliers.md): for vendors, asking for an API client, collecting its secret and the alignment
 * check, without signing in; for administrators, the requests to decide and every client's usage.
 */
export function SuppliersRoute() {
  const { t } = useI18n();
  const { user } = useSession();
  useDocumentTitle(t('suppliers.heading'));
  const admin = !!user?.roles?.some((r) => r.role === 'admin');
  return (
    <section className="page">
      <h1>{t('suppliers.heading')}</h1>
      <p className="lead">{t('suppliers.intro')}</p>
      {admin && (
        <section aria-labelledby="requests-title">
          <h2 id="requests-title">{t('suppliers.admin.heading')}</h2>
          <ClientRequestsAdmin />
          <h2 id="usage-title">{t('usage.heading')}</h2>
          <ClientUsageTable />
        </section>
      )}
      <section aria-labelledby="request-title">
        <h2 id="request-title">{t('suppliers.requestHeading')}</h2>
        <p className="muted small">{t('suppliers.requestNote')}</p>
        <ClientRequestForm />
      </section>
      <section aria-labelledby="claim-title">
        <h2 id="claim-title">{t('suppliers.claimHeading')}</h2>
        <ClaimSecret />
      </section>
      <section aria-labelledby="alignment-title">
        <h2 id="alignment-title">{t('alignment.heading')}</h2>
        <p className="muted small">{t('alignment.intro')}</p>
        <AlignmentCheck />
      </section>
    </section>
  );
}
