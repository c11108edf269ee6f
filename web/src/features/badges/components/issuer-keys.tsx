import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { rotateIssuerKey, useIssuers, type Issuer } from '../api/badges.js';
import { useAction } from '../hooks/use-action.js';
import './badges.css';

/**
 * The badge issuers and their signing keys (administrators): rotating adds a new active key; the old ones stay in
 * the DID document, so credentials already issued still verify (docs/badges.md).
 */
export function IssuerKeys() {
  const { t } = useI18n();
  const issuers = useIssuers(true);
  const { busy, result, error, act } = useAction();
  const [confirming, setConfirming] = useState<string>();
  if (issuers.loading) return <Loading />;
  if (issuers.error || !issuers.data) return issuers.error ? <ErrorMessage error={issuers.error} onRetry={issuers.reload} /> : null;
  const rotate = (i: Issuer) =>
    act(async () => {
      setConfirming(undefined);
      await rotateIssuerKey(i.id);
      return t('issuers.rotated', { name: i.name });
    });
  return (
    <>
      <p role="status" className="badge-result">
        {result}
      </p>
      {error && <ErrorMessage error={error} />}
      {issuers.data.issuers.length === 0 ? (
        <p className="muted">{t('issuers.none')}</p>
      ) : (
        <table className="badge-table">
          <thead>
            <tr>
              <th scope="col">{t('issuers.name')}</th>
              <th scope="col">DID</th>
              <th scope="col">{t('badges.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {issuers.data.issuers.map((i) => (
              <tr key={i.id}>
                <th scope="row">{i.name}</th>
                <td className="small">
                  <code className="did">{i.did}</code>
                </td>
                <td>
                  {confirming === i.id ? (
                    <span className="badge-links">
                      {t('issuers.confirm')}
                      <button type="button" className="button small" disabled={busy} onClick={() => rotate(i)}>
                        {t('issuers.rotateConfirm')}
                      </button>
                      <button type="button" className="button secondary small" onClick={() => setConfirming(undefined)}>
                        {t('common.cancel')}
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="button secondary small" disabled={busy} onClick={() => setConfirming(i.id)} aria-label={t('issuers.rotateOf', { name: i.name })}>
                      {t('issuers.rotate')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
