import { useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { approveCandidates, dismissCandidates, useAchievements, useCandidates, type Candidate, type CandidateKey } from '../api/badges.js';
import { useAction } from '../hooks/use-action.js';
import { CandidateEvidence } from './candidate-evidence.js';
import { RevokeButton } from './revoke-button.js';
import './badges.css';

const keyOf = (c: CandidateKey) => `${c.achievementId}|${c.learnerId}`;
const SHOWN = ['pending', 'issued'] as const;
/** Rows shown at first and added by "show more": a class can have thousands (the demo: 35 learners × 217 items). */
const PAGE = 100;

/**
 * A class's badge candidates: pending ones, which the teacher approves (one click, or the checked ones) or dismisses
 * with a reason — nothing is issued without this approval (docs/badges.md) — and issued ones, which a teacher can
 * revoke with a reason.
 */
export function BadgeCandidates({ classId, framework }: { classId: string; framework: string }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<(typeof SHOWN)[number]>('pending');
  return (
    <div className="badge-candidates">
      <fieldset className="segmented">
        <legend className="visually-hidden">{t('badges.show')}</legend>
        {SHOWN.map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {t(`badges.filter.${s}`)}
          </button>
        ))}
      </fieldset>
      {status === 'pending' ? <PendingCandidates classId={classId} framework={framework} /> : <IssuedBadges classId={classId} />}
    </div>
  );
}

function PendingCandidates({ classId, framework }: { classId: string; framework: string }) {
  const { t } = useI18n();
  const reasonId = useId();
  const candidates = useCandidates(classId);
  const achievements = useAchievements(framework);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const { busy, result, error, act } = useAction();

  if (candidates.loading) return <Loading />;
  if (candidates.error || !candidates.data) return candidates.error ? <ErrorMessage error={candidates.error} onRetry={candidates.reload} /> : null;
  const all = candidates.data.candidates;
  // "Select all" selects the rows shown, which keeps a bulk decision within the API's 500.
  const list = all.slice(0, limit);
  const statementOf = new Map(achievements.data?.achievements.map((a) => [a.id, a.description]) ?? []);
  const selected = list.filter((c) => checked.has(keyOf(c)));

  const decide = async (run: () => Promise<string>) => (await act(run)) && setChecked(new Set());
  const approve = (cs: CandidateKey[]) => decide(async () => t('badges.approved', { n: await approveCandidates(cs) }));
  const dismiss = (cs: CandidateKey[]) =>
    decide(async () => {
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
    <>
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
                      <CandidateEvidence c={c} />
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
          {all.length > list.length && (
            <p>
              <button type="button" className="button secondary" onClick={() => setLimit(limit + PAGE)}>
                {t('badges.showMore', { n: Math.min(PAGE, all.length - list.length), rest: all.length - list.length })}
              </button>
            </p>
          )}
        </>
      )}
    </>
  );
}

/** The class's issued badges, each with its status; a valid one can be revoked (with a reason). */
function IssuedBadges({ classId }: { classId: string }) {
  const { t } = useI18n();
  const issued = useCandidates(classId, 'issued');
  const [result, setResult] = useState<string>();
  if (issued.loading) return <Loading />;
  if (issued.error || !issued.data) return issued.error ? <ErrorMessage error={issued.error} onRetry={issued.reload} /> : null;
  const list = issued.data.candidates;
  return (
    <>
      <p role="status" className="badge-result">
        {result}
      </p>
      {list.length === 0 ? (
        <p className="muted">{t('badges.noIssued')}</p>
      ) : (
        <table className="badge-table">
          <thead>
            <tr>
              <th scope="col">{t('dashboard.learner')}</th>
              <th scope="col">{t('badges.item')}</th>
              <th scope="col">{t('badges.statusColumn')}</th>
              <th scope="col">{t('badges.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => {
              const who = c.learnerName ?? c.learnerId;
              const s = c.revoked ? 'revoked' : 'valid';
              return (
                <tr key={keyOf(c)} data-status={s}>
                  <th scope="row">{who}</th>
                  <td>
                    <code>{c.achievement.humanCode}</code> {c.achievement.name}
                  </td>
                  <td>
                    <span className={`badge-status ${s}`}>{t(`badges.status.${s}`)}</span>
                  </td>
                  <td>{c.credentialId && !c.revoked && <RevokeButton credentialId={c.credentialId} name={t('badges.badgeOf', { name: who, code: c.achievement.humanCode ?? '' })} onDone={setResult} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
