import { useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { approveCandidates, dismissCandidates, undoApprovals, useAchievements, useCandidates, type Candidate, type CandidateKey } from '../api/badges.js';
import { useAction } from '../../../lib/use-action.js';
import { CandidateEvidence } from './candidate-evidence.js';
import { ConfirmButton } from './confirm-button.js';
import { BadgeCriteriaForm } from './badge-criteria.js';
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
      {status === 'pending' ? (
        <>
          <BadgeCriteriaForm framework={framework} />
          <PendingCandidates classId={classId} framework={framework} />
        </>
      ) : (
        <IssuedBadges classId={classId} />
      )}
    </div>
  );
}

type Grouping = 'none' | 'item' | 'learner';
const GROUPINGS: Grouping[] = ['none', 'item', 'learner'];

/**
 * The pending candidates: filtered by words (a learner's name, an item's code or name), listed or grouped by item or
 * by learner (each group folded, approvable as a whole). Every approval asks first, and can be undone right after
 * (the credentials are revoked and the candidates pending again, docs/badges.md).
 */
function PendingCandidates({ classId, framework }: { classId: string; framework: string }) {
  const { t } = useI18n();
  const reasonId = useId();
  const filterId = useId();
  const candidates = useCandidates(classId);
  const achievements = useAchievements(framework);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const [grouping, setGrouping] = useState<Grouping>('none');
  const [filter, setFilter] = useState('');
  const [openGroups, setOpenGroups] = useState<ReadonlySet<string>>(new Set());
  const toggleGroup = (key: string, open: boolean) =>
    setOpenGroups((s) => {
      const next = new Set(s);
      if (open) next.add(key);
      else next.delete(key);
      return next;
    });
  /** The last approval, while it can be undone. */
  const [approved, setApproved] = useState<CandidateKey[]>([]);
  /** What the last decision did (approvals come through their dialog, the rest through `act`). */
  const [message, setMessage] = useState<string>();
  const { busy, error, act } = useAction();
  const announce = (run: () => Promise<string>) => act(async () => {
    const m = await run();
    setMessage(m);
    return m;
  });

  if (candidates.loading) return <Loading />;
  if (candidates.error || !candidates.data) return candidates.error ? <ErrorMessage error={candidates.error} onRetry={candidates.reload} /> : null;
  const statementOf = new Map(achievements.data?.achievements.map((a) => [a.id, a.description]) ?? []);
  const words = filter.trim().toLowerCase();
  const all = candidates.data.candidates.filter((c) => !words || `${c.learnerName ?? ''} ${c.achievement.humanCode ?? ''} ${c.achievement.name ?? ''} ${statementOf.get(c.achievementId) ?? ''}`.toLowerCase().includes(words));
  // "Select all" selects the rows shown, which keeps a bulk decision within the API's 500.
  const groupOf = (c: Candidate) => (grouping === 'item' ? c.achievementId : c.learnerId);
  // The rows shown: the first pages of the list, or the open groups' (what "select all" selects).
  const list = grouping === 'none' ? all.slice(0, limit) : all.filter((c) => openGroups.has(groupOf(c)));
  const selected = list.filter((c) => checked.has(keyOf(c)));

  const decide = async (run: () => Promise<string>) => (await announce(run)) && setChecked(new Set());
  const approve = async (cs: CandidateKey[]) => {
    const n = await approveCandidates(cs);
    setChecked(new Set());
    setApproved(cs.map(({ achievementId, learnerId }) => ({ achievementId, learnerId })));
    return t('badges.approved', { n });
  };
  const undo = () =>
    announce(async () => {
      const n = await undoApprovals(approved);
      setApproved([]);
      return t('badges.undone', { n });
    });
  const dismiss = (cs: CandidateKey[]) =>
    decide(async () => {
      setApproved([]);
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
  const who = (c: Candidate) => c.learnerName ?? c.learnerId;
  /** Approval of some candidates, after a dialog saying what will be issued. */
  const approveButton = (cs: Candidate[], label: string, ariaLabel?: string) => (
    <ConfirmButton
      label={label}
      ariaLabel={ariaLabel}
      title={t('badges.approveTitle', { n: cs.length })}
      confirmLabel={t('badges.approveConfirm', { n: cs.length })}
      run={() => approve(cs)}
      onDone={setMessage}
      primary
      disabled={busy || cs.length === 0}
    >
      <ul className="small">
        {cs.slice(0, 10).map((c) => (
          <li key={keyOf(c)}>{t('badges.badgeOf', { name: who(c), code: c.achievement.humanCode ?? '' })}</li>
        ))}
        {cs.length > 10 && <li className="muted">{t('panel.evidenceMore', { n: cs.length - 10 })}</li>}
      </ul>
      <p className="muted small">{t('badges.approveNote')}</p>
    </ConfirmButton>
  );
  const rows = (cs: Candidate[]) => (
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
        {cs.map((c) => (
          <tr key={keyOf(c)}>
            <td>
              <input type="checkbox" checked={checked.has(keyOf(c))} onChange={() => toggle(c)} aria-label={t('badges.selectOne', { name: who(c), code: c.achievement.humanCode ?? '' })} />
            </td>
            <th scope="row">{who(c)}</th>
            <td>
              <code>{c.achievement.humanCode}</code> {c.achievement.name}
              {statementOf.get(c.achievementId) && <p className="small">{statementOf.get(c.achievementId)}</p>}
            </td>
            <td className="small">
              <CandidateEvidence c={c} />
            </td>
            <td>{approveButton([c], t('badges.approve'), t('badges.approveOne', { name: who(c), code: c.achievement.humanCode ?? '' }))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  const groups = new Map<string, { title: string; candidates: Candidate[] }>();
  if (grouping !== 'none') {
    for (const c of all) {
      const key = groupOf(c);
      // A default achievement's name already ends with its code: "3年 整数 (イ)（8250233112100000）".
      const title = grouping === 'item' ? (c.achievement.name ?? c.achievement.humanCode ?? c.achievementId) : who(c);
      (groups.get(key) ?? groups.set(key, { title, candidates: [] }).get(key)!).candidates.push(c);
    }
  }
  const sortedGroups = [...groups].sort(([, a], [, b]) => b.candidates.length - a.candidates.length || a.title.localeCompare(b.title, 'ja'));

  return (
    <>
      <p role="status" className="badge-result">
        {message}{' '}
        {message && approved.length > 0 && (
          <button type="button" className="button secondary small" disabled={busy} onClick={() => void undo()}>
            {t('badges.undo')}
          </button>
        )}
      </p>
      {error && <ErrorMessage error={error} />}
      <div className="badge-bulk">
        <fieldset className="segmented">
          <legend className="visually-hidden">{t('badges.grouping')}</legend>
          {GROUPINGS.map((g) => (
            <button key={g} type="button" aria-pressed={grouping === g} onClick={() => setGrouping(g)}>
              {t(`badges.grouping.${g}`)}
            </button>
          ))}
        </fieldset>
        <label htmlFor={filterId}>{t('badges.filter')}</label>
        <input id={filterId} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('badges.filterPlaceholder')} />
        <span className="muted small">{t('badges.count', { n: all.length, total: candidates.data.candidates.length })}</span>
      </div>
      {all.length === 0 ? (
        <p className="muted">{t('badges.noCandidates')}</p>
      ) : (
        <>
          <div className="badge-bulk">
            <label>
              <input type="checkbox" checked={allChecked} onChange={() => setChecked(allChecked ? new Set() : new Set(list.map(keyOf)))} /> {t('badges.selectAll')}
            </label>
            {approveButton(selected, t('badges.approveSelected', { n: selected.length }))}
            <label htmlFor={reasonId}>{t('badges.reason')}</label>
            <input id={reasonId} type="text" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
            <button type="button" className="button secondary" disabled={busy || selected.length === 0 || !reason.trim()} onClick={() => dismiss(selected)}>
              {t('badges.dismissSelected', { n: selected.length })}
            </button>
          </div>
          {grouping === 'none'
            ? rows(list)
            : sortedGroups.map(([key, g]) => (
                <details key={key} className="badge-group" data-group={key} open={openGroups.has(key)} onToggle={(e) => toggleGroup(key, e.currentTarget.open)}>
                  <summary>
                    <strong>{g.title}</strong> <span className="muted">{t(grouping === 'item' ? 'badges.groupLearners' : 'badges.groupItems', { n: g.candidates.length })}</span>
                  </summary>
                  {/* Only an open group's rows are drawn: a class has thousands of candidates. */}
                  {openGroups.has(key) && (
                    <>
                      <div className="badge-links">{approveButton(g.candidates, t('badges.approveGroup', { n: g.candidates.length }), t('badges.approveGroupOf', { name: g.title, n: g.candidates.length }))}</div>
                      {rows(g.candidates)}
                    </>
                  )}
                </details>
              ))}
          {grouping === 'none' && all.length > list.length && (
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
