import type { ApiError } from '../../lib/api-client.js';
import { useI18n } from '../../lib/i18n/i18n.js';
import type { MessageKey } from '../../lib/i18n/ja.js';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="status loading" role="status">
      <span className="spinner" aria-hidden="true" /> {t('common.loading')}
    </p>
  );
}

function headline(error: ApiError): MessageKey {
  if (error.status === 0) return 'error.network';
  if (error.status === 401) return 'error.unauthorized';
  if (error.status === 403) return 'error.forbidden';
  if (error.status === 404) return 'error.notFound';
  if (error.status >= 500) return 'error.server';
  return 'error.request';
}

/** Any ApiError: a translated headline, and the server's own message (it names the field) as the detail. */
export function ErrorMessage({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="status error" role="alert">
      <strong>{t(headline(error))}</strong>
      {/* The server words its messages in English (they name the field). */}
      {error.status !== 0 && error.status < 500 && <span className="detail" lang="en">{error.message}</span>}
      {onRetry && (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
