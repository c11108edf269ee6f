import { ErrorMessage } from '../../../components/ui/status.js';
import type { ApiError } from '../../../lib/api-client.js';
import { useI18n } from '../../../lib/i18n/i18n.js';

/**
 * A write's error: a 412 (someone else changed the entity since this page read it: docs/authoring.md) says so and
 * offers to read it again; any other error as the API words it (a 409 names what to do instead).
 */
export function WriteError({ error, onReload }: { error: ApiError; onReload: () => void }) {
  const { t } = useI18n();
  if (error.status !== 412) return <ErrorMessage error={error} />;
  return (
    <div className="status error" role="alert">
      <strong>{t('authoring.conflict')}</strong>
      <button type="button" className="button secondary" onClick={onReload}>
        {t('authoring.reload')}
      </button>
    </div>
  );
}
