import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { useAction } from '../../../lib/use-action.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { ALIGNMENT_STATUSES, alignmentCsv, checkAlignment, type AlignmentReport } from '../api/suppliers.js';

/**
 * The alignment check: a CSV file (or pasted lines) of UUIDs, URIs or Course of Study Codes → each line's status with
 * the replacement of a replaced one, and the server's CSV report to download.
 */
export function AlignmentCheck() {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const [column, setColumn] = useState('');
  const [report, setReport] = useState<AlignmentReport>();
  const { busy, error, act } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => setReport(await checkAlignment(text, column)));
  };
  const download = () =>
    act(async () => {
      const url = URL.createObjectURL(new Blob([await alignmentCsv(text, column)], { type: 'text/csv' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: 'alignment-report.csv' });
      a.click();
      URL.revokeObjectURL(url);
    });
  return (
    <div className="supplier-form">
      <form onSubmit={submit}>
        <label>
          {t('alignment.file')}
          <input type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => void e.target.files?.[0]?.text().then(setText)} />
        </label>
        <label>
          {t('alignment.text')}
          <textarea rows={5} value={text} onChange={(e) => setText(e.target.value)} placeholder="8260243121100000" aria-describedby={`${id}-error`} />
        </label>
        <label>
          {t('alignment.column')}
          <input maxLength={200} value={column} onChange={(e) => setColumn(e.target.value)} />
        </label>
        <button type="submit" className="button primary" disabled={busy || !text.trim()}>
          {t('alignment.submit')}
        </button>
      </form>
      <div id={`${id}-error`}>{error && <ErrorMessage error={error} />}</div>
      {report && (
        <section aria-labelledby={`${id}-report`}>
          <h3 id={`${id}-report`}>{t('alignment.report', { n: report.total })}</h3>
          <div role="status">
            <ul className="alignment-counts">
              {ALIGNMENT_STATUSES.map((s) => (
                <li key={s} data-status={s}>
                  {t(`alignment.status.${s}` as MessageKey)}: {report.counts[s]}
                </li>
              ))}
            </ul>
          </div>
          <button type="button" className="button secondary small" disabled={busy} onClick={() => void download()}>
            {t('alignment.download')}
          </button>
          <table className="alignment-table">
            <thead>
              <tr>
                <th scope="col">{t('alignment.line')}</th>
                <th scope="col">{t('alignment.reference')}</th>
                <th scope="col">{t('alignment.statusHead')}</th>
                <th scope="col">{t('alignment.framework')}</th>
                <th scope="col">{t('alignment.replacement')}</th>
              </tr>
            </thead>
            <tbody>
              {report.results.map((r) => (
                <tr key={r.line} data-status={r.status}>
                  <td>{r.line}</td>
                  <th scope="row">
                    <code>{r.reference}</code>
                  </th>
                  <td>
                    <span className={`alignment-status ${r.status}`}>{t(`alignment.status.${r.status}` as MessageKey)}</span>
                    <p className="small muted" lang="en">
                      {r.reason}
                    </p>
                  </td>
                  <td>{r.item?.framework.title}</td>
                  <td>{r.replacement && <a href={r.replacement.uri}>{r.replacement.humanCodingScheme ?? r.replacement.identifier}</a>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
