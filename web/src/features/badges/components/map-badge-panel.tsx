import { useId, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { approveCandidates, dismissCandidates, useLearnerCandidates, type Candidate } from '../api/badges.js';
import { useAction } from '../../../lib/use-action.js';
import { CandidateEvidence } from './candidate-evidence.js';
import { RevokeButton } from './revoke-button.js';
import { ConfirmButton } from './confirm-button.js';
import './badges.css';

/**
 * The badge part of the learning map's item panel, for a teacher viewing a learner: the item's pending candidate
 * (Approve in one click, or Dismiss with a reason) and the badges already issued for it (Revoke).
 */
export function MapBadgePanel({ learner, itemId }: { learner: string; itemId: string }) {
  const { t } = useI18n();
  const pending = useLearnerCandidates(learner, 'pending').data?.candidates.filter((c) => c.achievement.itemIds.includes(itemId)) ?? [];
  const issued = useLearnerCandidates(learner, 'issued').data?.candidates.filter((c) => c.achievement.itemIds.includes(itemId)) ?? [];
  const { busy, result, error, act } = useAction();
  const [revoked, setRevoked] = useState<string>();
  if (!pending.length && !issued.length && !result && !revoked) return null;
  return (
    <section className="map-badges" aria-labelledby="map-badges-title">
      <h3 id="map-badges-title">{t('badges.onMap')}</h3>
      <p role="status" className="badge-result">
        {result ?? revoked}
      </p>
      {error && <ErrorMessage error={error} />}
      {pending.map((c) => (
        <PendingOnMap key={c.achievementId} c={c} busy={busy} act={act} onDone={setRevoked} />
      ))}
      {issued.map((c) => {
        const name = t('badges.badgeOf', { name: c.learnerName ?? c.learnerId, code: c.achievement.humanCode ?? '' });
        const s = c.revoked ? 'revoked' : 'valid';
        return (
          <div key={c.achievementId} className="map-badge issued" data-status={s}>
            <p>
              <code>{c.achievement.humanCode}</code> {c.achievement.name} · <span className={`badge-status ${s}`}>{t(`badges.status.${s}`)}</span>
            </p>
            {c.credentialId && !c.revoked && <RevokeButton credentialId={c.credentialId} name={name} onDone={setRevoked} />}
          </div>
        );
      })}
    </section>
  );
}

function PendingOnMap({ c, busy, act, onDone }: { c: Candidate; busy: boolean; act: (run: () => Promise<string>) => Promise<boolean>; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const reasonId = useId();
  const [reason, setReason] = useState('');
  const key = [{ achievementId: c.achievementId, learnerId: c.learnerId }];
  const who = c.learnerName ?? c.learnerId;
  const code = c.achievement.humanCode ?? '';
  return (
    <div className="map-badge candidate">
      <p>
        <span className="badge-status candidate">{t('map.badge.candidate')}</span> <code>{code}</code> {c.achievement.name}
      </p>
      <p className="small">
        <CandidateEvidence c={c} />
      </p>
      <div className="badge-links">
        <ConfirmButton
          label={t('badges.approve')}
          ariaLabel={t('badges.approveOne', { name: who, code })}
          title={t('badges.approveTitle', { n: 1 })}
          confirmLabel={t('badges.approveConfirm', { n: 1 })}
          run={async () => t('badges.approved', { n: await approveCandidates(key) })}
          onDone={onDone}
          primary
          disabled={busy}
        >
          <p>{t('badges.badgeOf', { name: who, code })}</p>
          <p className="muted small">{t('badges.approveNoteMap')}</p>
        </ConfirmButton>
      </div>
      <p className="badge-links">
        <label htmlFor={reasonId}>{t('badges.reason')}</label>
        <input id={reasonId} type="text" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
        <button type="button" className="button secondary" disabled={busy || !reason.trim()} onClick={() => act(async () => t('badges.dismissed', { n: await dismissCandidates(key, reason.trim()) }))}>
          {t('badges.dismiss')}
        </button>
      </p>
    </div>
  );
}
