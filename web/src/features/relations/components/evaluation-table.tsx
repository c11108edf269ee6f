import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ApiError } from '../../../lib/api-client.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { evaluateRelations, type EvaluationResult } from '../api/relations.js';
import { estimatorText, relationTypeText } from '../lib/rationale.js';

const COLUMNS = ['estimator', 'type', 'domain', 'truth', 'predicted', 'tp', 'precision', 'recall', 'f1'] as const;

/** Paste a ground truth (CSV origin,destination,type), get the same P/R/F table as `shirube relations evaluate`. */
export function EvaluationTable({ framework }: { framework: string }) {
  const { t } = useI18n();
  const [truth, setTruth] = useState('origin,destination,type\n');
  const [closure, setClosure] = useState(false);
  const [byDomain, setByDomain] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<EvaluationResult | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await evaluateRelations(framework, { groundTruth: truth, closure }));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
    } finally {
      setBusy(false);
    }
  };
  const rows = result?.scores.filter((s) => byDomain || s.domain === '(all)') ?? [];
  return (
    <div className="relations-evaluation">
      <label className="block">
        {t('relations.groundTruth')}
        <textarea rows={8} value={truth} onChange={(e) => setTruth(e.target.value)} />
      </label>
      <label>
        <input type="checkbox" checked={closure} onChange={(e) => setClosure(e.target.checked)} /> {t('relations.closure')}
      </label>{' '}
      <label>
        <input type="checkbox" checked={byDomain} onChange={(e) => setByDomain(e.target.checked)} /> {t('relations.byDomain')}
      </label>{' '}
      <button type="button" onClick={() => void run()} disabled={busy}>{t('relations.evaluate')}</button>
      {busy && <Loading />}
      {error && <ErrorMessage error={error} />}
      {result && (
        <>
          <p>{t('relations.space', { candidates: result.candidatePairs, all: result.allPairs, truth: result.truthInScope, out: result.truthOutOfScope })}</p>
          <table className="relations-scores">
            <thead>
              <tr>
                {COLUMNS.map((h) => <th key={h} scope="col">{t(`relations.col.${h}`)}</th>)}
              </tr>
            </thead>
            <tbody>
              {rows.map((s, i) => (
                <tr key={i}>
                  <td>{estimatorText(t, s.estimator)}</td><td>{relationTypeText(t, s.type)}</td><td>{s.domain === '(all)' ? t('relations.allDomains') : s.domain}</td><td>{s.truth}</td><td>{s.predicted}</td><td>{s.tp}</td>
                  <td>{s.precision.toFixed(3)}</td><td>{s.recall.toFixed(3)}</td><td>{s.f1.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
