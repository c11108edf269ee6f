import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { useHistory } from '../api/authoring.js';

/** The framework's latest changes (GET …/history), newest first: when, who, what. */
export function HistoryList({ fid, rev }: { fid: string; rev: number }) {
  const { t, formatDate } = useI18n();
  const q = useHistory(fid, rev);
  return (
    <section className="authoring-history card" aria-labelledby="authoring-history-h">
      <h2 id="authoring-history-h">{t('authoring.history')}</h2>
      {q.loading && !q.data ? <Loading /> : q.error ? <ErrorMessage error={q.error} onRetry={q.reload} /> : (
        <table>
          <caption className="visually-hidden">{t('authoring.historyCaption', { n: q.data!.total })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('authoring.when')}</th>
              <th scope="col">{t('authoring.who')}</th>
              <th scope="col">{t('authoring.action')}</th>
              <th scope="col">{t('authoring.entity')}</th>
            </tr>
          </thead>
          <tbody>
            {q.data!.changes.map((c) => (
              <tr key={c.id} className="history-row">
                <td><time dateTime={c.at}>{formatDate(c.at)} {c.at.slice(11, 19)}</time></td>
                <td>{c.actor ?? '—'}</td>
                <td>{c.action}</td>
                <td>{c.entityType} <span className="code small">{c.entityIdentifier.slice(0, 8)}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
