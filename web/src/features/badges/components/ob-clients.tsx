import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { disableObClient, useObClients } from '../api/badges.js';
import { ConfirmButton } from './confirm-button.js';
import './badges.css';

/**
 * The Open Badges API clients that registered themselves (administrators): how many learners allowed each, and
 * Disable for an abusive one, which ends every token it holds (docs/badges.md).
 */
export function ObClients() {
  const { t, formatDate } = useI18n();
  const clients = useObClients(true);
  const [done, setDone] = useState<string>();
  if (clients.loading) return <Loading />;
  if (clients.error || !clients.data) return clients.error ? <ErrorMessage error={clients.error} onRetry={clients.reload} /> : null;
  return (
    <>
      <p role="status" className="badge-result">
        {done}
      </p>
      {clients.data.clients.length === 0 ? (
        <p className="muted">{t('obClients.none')}</p>
      ) : (
        <table className="badge-table">
          <thead>
            <tr>
              <th scope="col">{t('obClients.name')}</th>
              <th scope="col">{t('obClients.redirects')}</th>
              <th scope="col">{t('obClients.learners')}</th>
              <th scope="col">{t('obClients.registered')}</th>
              <th scope="col">{t('badges.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {clients.data.clients.map((c) => (
              <tr key={c.clientId} data-client={c.clientId}>
                <th scope="row">
                  {c.clientName}
                  {c.clientUri && <p className="small">{c.clientUri}</p>}
                  <p className="small muted">
                    <code>{c.clientId}</code>
                  </p>
                </th>
                <td className="small">
                  {c.redirectUris.map((u) => (
                    <p key={u}>{u}</p>
                  ))}
                </td>
                <td>{c.learners}</td>
                <td>{formatDate(c.createdAt)}</td>
                <td>
                  {c.disabledAt ? (
                    <span className="badge-status revoked">{t('obClients.disabledOn', { date: formatDate(c.disabledAt) })}</span>
                  ) : (
                    <ConfirmButton
                      label={t('obClients.disable')}
                      ariaLabel={t('obClients.disableOf', { name: c.clientName })}
                      title={t('obClients.confirmTitle', { name: c.clientName })}
                      confirmLabel={t('obClients.disable')}
                      run={async () => {
                        await disableObClient(c.clientId);
                        return t('obClients.disabled', { name: c.clientName });
                      }}
                      onDone={setDone}
                    >
                      <p>{t('obClients.confirmNote', { n: c.learners })}</p>
                    </ConfirmButton>
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
