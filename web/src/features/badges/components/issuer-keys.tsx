import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { rotateIssuerKey, useIssuers, type Issuer } from '../api/badges.js';
import { useAction } from '../../../lib/use-action.js';
import './badges.css';

/**
 * The badge issuers and their signing keys (administrators): rotating adds a new active key; the old ones stay in
 * the DID document, so credentials already issued still verify. Switching between did:web and did:key makes a new
 * key under the other method (docs/badges.md).
 */
export function IssuerKeys() {
  const { t } = useI18n();
  const issuers = useIssuers(true);
  const { busy, result, error, act } = useAction();
  /** The issuer whose rotation, or switch to the other DID method, waits for a second click. */
  const [confirming, setConfirming] = useState<{ id: string; switchTo?: Issuer['didMethod'] }>();
  if (issuers.loading) return <Loading />;
  if (issuers.error || !issuers.data) return issuers.error ? <ErrorMessage error={issuers.error} onRetry={issuers.reload} /> : null;
  const rotate = (i: Issuer, switchTo?: Issuer['didMethod']) =>
    act(async () => {
      setConfirming(undefined);
      const after = await rotateIssuerKey(i.id, switchTo);
      return switchTo ? t('issuers.switched', { name: i.name, did: after.did }) : t('issuers.rotated', { name: i.name });
    });
  const other = (i: Issuer) => (i.didMethod === 'web' ? 'key' : 'web');
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
              <th scope="col">{t('issuers.method')}</th>
              <th scope="col">DID</th>
              <th scope="col">{t('badges.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {issuers.data.issuers.map((i) => (
              <tr key={i.id}>
                <th scope="row">{i.name}</th>
                <td>did:{i.didMethod}</td>
                <td className="small">
                  <code className="did">{i.did}</code>
                </td>
                <td>
                  {confirming?.id === i.id ? (
                    <span className="badge-links">
                      {confirming.switchTo ? t('issuers.confirmSwitch', { method: `did:${confirming.switchTo}` }) : t('issuers.confirm')}
                      <button type="button" className="button small" disabled={busy} onClick={() => rotate(i, confirming.switchTo)} autoFocus>
                        {confirming.switchTo ? t('issuers.switchConfirm') : t('issuers.rotateConfirm')}
                      </button>
                      <button type="button" className="button secondary small" onClick={() => setConfirming(undefined)}>
                        {t('common.cancel')}
                      </button>
                    </span>
                  ) : (
                    <span className="badge-links">
                      <button type="button" className="button secondary small" disabled={busy} onClick={() => setConfirming({ id: i.id })} aria-label={t('issuers.rotateOf', { name: i.name })}>
                        {t('issuers.rotate')}
                      </button>
                      <button type="button" className="button secondary small" disabled={busy} onClick={() => setConfirming({ id: i.id, switchTo: other(i) })} aria-label={t('issuers.switchOf', { name: i.name, method: `did:${other(i)}` })}>
                        {t('issuers.switch', { method: `did:${other(i)}` })}
                      </button>
                    </span>
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
