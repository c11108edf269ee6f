import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { disconnectApp, useConnectedApps, type ConnectedApp } from '../api/badges.js';
import { ConfirmButton } from './confirm-button.js';
import './badges.css';

const SCOPE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/';
/** The OB 3.0 scopes in words (as on the consent page); another scope is shown as it is. */
const SCOPE_WORDS: Readonly<Record<string, MessageKey>> = {
  [`${SCOPE}credential.readonly`]: 'connectedApps.scope.credentialRead',
  [`${SCOPE}credential.upsert`]: 'connectedApps.scope.credentialUpsert',
  [`${SCOPE}profile.readonly`]: 'connectedApps.scope.profileRead',
  [`${SCOPE}profile.update`]: 'connectedApps.scope.profileUpdate',
};

function AppCard({ app, onDone }: { app: ConnectedApp; onDone: (message: string) => void }) {
  const { t, formatDate } = useI18n();
  const name = app.clientName;
  return (
    <li className="card connected-app" data-client={app.clientId}>
      <h3>{name}</h3>
      {app.clientUri && (
        <p className="small">
          <a href={app.clientUri} rel="noopener noreferrer" target="_blank">
            {app.clientUri}
          </a>
        </p>
      )}
      <p className="small">{t('connectedApps.allowed')}</p>
      <ul className="small">
        {app.scopes.map((s) => (
          <li key={s}>{Object.hasOwn(SCOPE_WORDS, s) ? t(SCOPE_WORDS[s]!) : s}</li>
        ))}
      </ul>
      <p className="small">
        {t('connectedApps.firstGranted', { date: formatDate(app.firstGrantedAt) })} · {app.lastUsedAt ? t('connectedApps.lastUsed', { date: formatDate(app.lastUsedAt) }) : t('connectedApps.neverUsed')}
      </p>
      <p className="small">
        <span className={app.tokensActive ? 'badge-status valid' : 'badge-status'}>{app.tokensActive ? t('connectedApps.active') : t('connectedApps.inactive')}</span>
      </p>
      <ConfirmButton
        label={t('connectedApps.disconnect')}
        ariaLabel={t('connectedApps.disconnectOf', { name })}
        title={t('connectedApps.confirmTitle', { name })}
        confirmLabel={t('connectedApps.disconnect')}
        run={async () => {
          await disconnectApp(app.clientId);
          return t('connectedApps.disconnected', { name });
        }}
        onDone={onDone}
      >
        <p>{t('connectedApps.confirmNote')}</p>
      </ConfirmButton>
    </li>
  );
}

/**
 * The apps (wallets, other platforms) the learner allowed to reach their badges through the Open Badges API, each
 * with what it may do and a way to disconnect it (docs/badges.md).
 */
export function ConnectedApps({ userId }: { userId: string }) {
  const { t } = useI18n();
  const apps = useConnectedApps(userId);
  const [done, setDone] = useState<string>();
  return (
    <section className="connected-apps" aria-labelledby="connected-apps-title">
      <h2 id="connected-apps-title">{t('connectedApps.heading')}</h2>
      <p role="status" className="badge-result">
        {done}
      </p>
      {apps.loading && <Loading />}
      {apps.error && <ErrorMessage error={apps.error} onRetry={apps.reload} />}
      {apps.data &&
        (apps.data.apps.length === 0 ? (
          <p className="muted">{t('connectedApps.none')}</p>
        ) : (
          <>
            <p className="muted small">{t('connectedApps.note')}</p>
            <ul className="badge-list">
              {apps.data.apps.map((a) => (
                <AppCard key={a.clientId} app={a} onDone={setDone} />
              ))}
            </ul>
          </>
        ))}
    </section>
  );
}
