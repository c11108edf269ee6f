import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { useAction } from '../../../lib/use-action.js';
import { paths } from '../../../config/paths.js';
import { REQUESTABLE_SCOPES, submitClientRequest } from '../api/suppliers.js';
import { ScopeChoices } from './scope-choices.js';

/**
 * A vendor asks for an API client: on success the claim token and its link (the token in the URL's fragment, which
 * no server sees), shown this once.
 */
export function ClientRequestForm() {
  const { t } = useI18n();
  const id = useId();
  const [form, setForm] = useState({ organization: '', contactEmail: '', purpose: '' });
  const [scopes, setScopes] = useState<string[]>([]);
  const { busy, error, act } = useAction();
  const [token, setToken] = useState<string>();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await act(async () => setToken((await submitClientRequest({ ...form, scopes })).claimToken));
  };
  if (token) {
    const link = `${location.origin}${paths.suppliers()}#claim=${token}`;
    return (
      <div className="supplier-claim-token" role="status">
        <p>
          <strong>{t('suppliers.requested')}</strong>
        </p>
        <p>{t('suppliers.keepToken')}</p>
        <p>
          {t('suppliers.claimToken')}: <code data-testid="claim-token">{token}</code>
        </p>
        <p>
          {t('suppliers.claimLink')}: <a href={link}>{link}</a>
        </p>
      </div>
    );
  }
  const invalid = (field: string) => (error?.field?.startsWith(field) ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {});
  return (
    <form className="supplier-form" onSubmit={submit}>
      <label>
        {t('suppliers.organization')}
        <input required maxLength={200} value={form.organization} onChange={set('organization')} {...invalid('organization')} />
      </label>
      <label>
        {t('suppliers.contactEmail')}
        <input required type="email" maxLength={254} value={form.contactEmail} onChange={set('contactEmail')} {...invalid('contactEmail')} />
      </label>
      <label>
        {t('suppliers.purpose')}
        <textarea required maxLength={2000} rows={3} value={form.purpose} onChange={set('purpose')} {...invalid('purpose')} />
      </label>
      <ScopeChoices legend={t('suppliers.scopes')} choices={REQUESTABLE_SCOPES} value={scopes} onChange={setScopes} />
      <p className="muted small">{t('suppliers.noMail')}</p>
      <button type="submit" className="button primary" disabled={busy || !scopes.length}>
        {t('suppliers.submit')}
      </button>
      <div id={`${id}-error`}>{error && <ErrorMessage error={error} />}</div>
    </form>
  );
}
