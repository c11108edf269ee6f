import { useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ApiError } from '../../../lib/api-client.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { approveCandidates, dismissCandidates, useAchievements, useCandidates, type Candidate, type CandidateKey } from '../api/badges.js';
import './badges.css';

const keyOf = (c: CandidateKey) => `${c.achievementId}|${c.learnerId}`;
const day = (iso: string | undefined) => iso?.slice(0, 10) ?? '';

/**
 * A class's pending badge candidates: the teacher approves one (one click) or the checked ones, or dismisses them
 * with a reason. Nothing is issued without this approval (docs/badges.md).
 */
export function BadgeCandidates({ classId, framework }: { classId: string; framework: string }) {
  const { t } = useI18n();
  const reasonId = useId();
  const candidates = useCandidates(classId);
  const achievements = useAchievements(framework);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<ApiError>();

  if (candidates.loading) return <Loading />;
  if (candidates.error || !candidates.data) return candidates.error ? <ErrorMessage error={candidates.error} onRetry={candidates.reload} /> : null;
  const list = candidates.data.candidates;
  const statementOf = new Map(achievements.data?.achievements.map((a) => [a.id, a.description]) ?? []);
  const selected = list.filter((c) => checked.has(keyOf(c)));

  const act = async (run: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await run());
      setChecked(new Set());
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
    } finally {
      setBusy(false);
    }
  };
  const approve = (cs: CandidateKey[]) => act(async () => t('badges.approved', { n: await approveCandidates(cs) }));
  const dismiss = (cs: CandidateKey[]) =>
    act(async () => {
      const n = await dismissCandidates(cs, reason.trim());
      setReason('');
      return t('badges.dismissed', { n });
    });
  const toggle = (c: Candidate) =>
    setChecked((s) => {
      const next = new Set(s);
      if (!next.delete(keyOf(c))) next.add(keyOf(c));
      return next;
    });
  const allChecked = list.length > 0 && selected.length === list.length;

  return (
    <div className="badge-candidates">
      <p role="status" className="badge-result">
        {result}
      </p>
      {error && <ErrorMessage error={error} />}
      {list.length === 0 ? (
        <p className="muted">{t('badges.noCandidates')}</p>
      ) : (
        <>
          <div className="badge-bulk">
            <label>
              <input type="checkbox" checked={allChecked} onChange={() => setChecked(allChecked ? new Set() : new Set(list.map(keyOf)))} /> {t('badges.selectAll')}
            </label>
            <button type="button" className="button" disabled={busy || selected.length === 0} onClick={() => approve(selected)}>
              {t('badges.approveSelected', { n: selected.length })}
            </button>
            <label htmlFor={reasonId}>{t('badges.reason')}</label>
            <input id={reasonId} type="text" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
            <button type="button" className="button secondary" disabled={busy || selected.length === 0 || !reason.trim()} onClick={() => dismiss(selected)}>
              {t('badges.dismissSelected', { n: selected.length })}
            </button>
          </div>
          <table className="badge-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">{t('badges.select')}</span>
                </th>
                <th scope="col">{t('dashboard.learner')}</th>
                <th scope="col">{t('badges.item')}</th>
                <th scope="col">{t('badges.evidence')}</th>
                <th scope="col">{t('badges.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => {
                const who = c.learnerName ?? c.learnerId;
                const s = c.summary ?? {};
                return (
                  <tr key={keyOf(c)}>
                    <td>
                      <input type="checkbox" checked={checked.has(keyOf(c))} onChange={() => toggle(c)} aria-label={t('badges.selectOne', { name: who, code: c.achievement.humanCode ?? '' })} />
                    </td>
                    <th scope="row">{who}</th>
                    <td>
                      <code>{c.achievement.humanCode}</code> {c.achievement.name}
                      {statementOf.get(c.achievementId) && <p className="small">{statementOf.get(c.achievementId)}</p>}
                    </td>
                    <td className="small">
                      {t('badges.summary', { answers: String(s.answers ?? '–'), correct: String(s.correct ?? '–') })}
                      {(s.from || s.to) && ` · ${day(s.from)} – ${day(s.to)}`}
                      <br />
                      {t('badges.metAt', { date: day(c.metAt) })}
                    </td>
                    <td>
                      <button type="button" className="button" disabled={busy} onClick={() => approve([c])} aria-label={t('badges.approveOne', { name: who, code: c.achievement.humanCode ?? '' })}>
                        {t('badges.approve')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
