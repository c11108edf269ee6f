import { useEffect, useId, useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { useAction } from '../../../lib/use-action.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { claimClientSecret, clientRequestStatus, type ClaimStatus } from '../api/suppliers.js';

/** The claim token from the page's fragment (`#claim=…`): never sent to the server by the browser. */
const tokenInFragment = () => new URLSearchParams(location.hash.slice(1)).get('claim') ?? '';

/** A vendor follows its request with the claim token, and once approved collects the secret (once). */
export function ClaimSecret() {
  const { t, formatDate } = useI18n();
  const id = useId();
  const [token, setToken] = useState(tokenInFragment);
  // A claim link opened while the page is already shown changes only the fragment.
  useEffect(() => {
    const follow = () => tokenInFragment() && setToken(tokenInFragment());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const [status, setStatus] = useState<ClaimStatus>();
  const action = useAction();
  const { busy, error } = action;
  const run = (f: () => Promise<ClaimStatus>) => action.act(async () => setStatus(await f()));
  const check = (e: FormEvent) => {
    e.preventDefault();
    void run(() => clientRequestStatus(token.trim()));
  };
  return (
    <div className="supplier-form">
      <form onSubmit={check}>
        <label>
          {t('suppliers.claimToken')}
          <input required autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} aria-describedby={`${id}-error`} />
        </label>
        <button type="submit" className="button secondary" disabled={busy || !token.trim()}>
          {t('suppliers.checkStatus')}
        </button>
      </form>
      <div id={`${id}-error`}>{error && <ErrorMessage error={error} />}</div>
      {status && (
        <div role="status" className="supplier-status" data-status={status.status}>
          <p>
            <strong>{status.organization}</strong>: {t(`suppliers.status.${status.status}` as MessageKey)}
          </p>
          {status.note && <p>{t('suppliers.note')}: {status.note}</p>}
          {status.grantedScopes && (
            <p className="small">
              {t('suppliers.granted')}: <code>{status.grantedScopes.join(' ')}</code>
            </p>
          )}
          {status.status === 'approved' && (
            <>
              <p className="small">{t('suppliers.claimUntil', { date: formatDate(status.claimUntil!) })}</p>
              <button type="button" className="button primary" disabled={busy} onClick={() => void run(() => claimClientSecret(token.trim()))}>
                {t('suppliers.collect')}
              </button>
            </>
          )}
          {status.clientSecret && (
            <div className="supplier-claim-token">
              <p>{t('suppliers.secretOnce')}</p>
              <p>
                <code>client_id</code>: <code data-testid="client-id">{status.clientId}</code>
              </p>
              <p>
                <code>client_secret</code>: <code data-testid="client-secret">{status.clientSecret}</code>
              </p>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
