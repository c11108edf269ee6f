import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { useAction } from '../../../lib/use-action.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { decideClientRequest, REQUESTABLE_SCOPES, useClientRequests, useClientUsage, type ClientRequest } from '../api/suppliers.js';
import { ScopeChoices } from './scope-choices.js';

/** Administrators: pending requests to approve (choosing the scopes) or reject, and the decided ones. */
export function ClientRequestsAdmin() {
  const { t, formatDate } = useI18n();
  const list = useClientRequests();
  const [done, setDone] = useState('');
  if (list.loading) return <Loading />;
  if (list.error || !list.data) return list.error ? <ErrorMessage error={list.error} onRetry={list.reload} /> : null;
  const pending = list.data.filter((r) => r.status === 'pending');
  const decided = list.data.filter((r) => r.status !== 'pending');
  return (
    <>
      <p role="status" className="small">
        {done}
      </p>
      {pending.length === 0 && <p className="muted">{t('suppliers.admin.none')}</p>}
      {pending.map((r) => (
        <PendingRequest key={r.id} request={r} onDone={setDone} />
      ))}
      {decided.length > 0 && (
        <table className="alignment-table">
          <caption>{t('suppliers.admin.decided')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('suppliers.organization')}</th>
              <th scope="col">{t('alignment.statusHead')}</th>
              <th scope="col">{t('suppliers.granted')}</th>
              <th scope="col">{t('suppliers.admin.decidedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {decided.map((r) => (
              <tr key={r.id}>
                <th scope="row" lang="und">
                  {r.organization}
                </th>
                <td>{t(`suppliers.status.${r.status === 'approved' && r.claimedAt ? 'claimed' : r.status}` as MessageKey)}</td>
                <td>
                  <code>{r.grantedScopes?.join(' ')}</code>
                </td>
                <td>{r.decidedAt && formatDate(r.decidedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function PendingRequest({ request: r, onDone }: { request: ClientRequest; onDone: (s: string) => void }) {
  const { t, formatDate } = useI18n();
  const [scopes, setScopes] = useState(r.requestedScopes);
  const [note, setNote] = useState('');
  const { busy, error, act } = useAction();
  const decide = (action: 'approve' | 'reject') =>
    act(async () => {
      await decideClientRequest(r.id, action, action === 'approve' ? { scopes, ...(note ? { note } : {}) } : note ? { note } : {});
      onDone(t(action === 'approve' ? 'suppliers.admin.approved' : 'suppliers.admin.rejected', { name: r.organization }));
    });
  return (
    <article className="client-request" aria-label={r.organization} data-request={r.id}>
      <h3 lang="und">{r.organization}</h3>
      <p className="small">
        {r.contactEmail} · {formatDate(r.createdAt)}
      </p>
      <p>{r.purpose}</p>
      <ScopeChoices legend={t('suppliers.admin.grant')} choices={REQUESTABLE_SCOPES} value={scopes} onChange={setScopes} />
      <label>
        {t('suppliers.note')}
        <input maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="client-request-actions">
        <button type="button" className="button primary small" disabled={busy || !scopes.length} onClick={() => void decide('approve')}>
          {t('suppliers.admin.approve')}
        </button>
        <button type="button" className="button secondary small" disabled={busy} onClick={() => void decide('reject')}>
          {t('suppliers.admin.reject')}
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
    </article>
  );
}

/** Administrators: requests per API client over the last 30 days, busiest first. */
export function ClientUsageTable() {
  const { t } = useI18n();
  const usage = useClientUsage(30);
  if (usage.loading) return <Loading />;
  if (usage.error || !usage.data) return usage.error ? <ErrorMessage error={usage.error} onRetry={usage.reload} /> : null;
  if (!usage.data.length) return <p className="muted">{t('usage.none')}</p>;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <table className="alignment-table">
      <thead>
        <tr>
          <th scope="col">{t('usage.client')}</th>
          <th scope="col">{t('usage.requests')}</th>
          <th scope="col">{t('usage.errors')}</th>
          <th scope="col">{t('usage.today')}</th>
        </tr>
      </thead>
      <tbody>
        {usage.data.map((u) => (
          <tr key={u.clientId}>
            <th scope="row">
              {/* Names are typed by vendors and administrators, in whatever language: undetermined (BCP 47 und). */}
              {u.name === null ? t('usage.unnamed') : <span lang="und">{u.name}</span>}
              <p className="small muted">
                <code>{u.clientId}</code>
              </p>
            </th>
            <td>{u.requests}</td>
            <td>{u.errors}</td>
            <td>{u.days.find((d) => d.day === today)?.requests ?? 0}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
