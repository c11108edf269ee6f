import { useI18n } from '../../../lib/i18n/i18n.js';
import type { Candidate } from '../api/badges.js';

const day = (iso: string | undefined) => iso?.slice(0, 10) ?? '';

/** What a candidate rests on: answers, correct answers, their period, and when the rule was met. */
export function CandidateEvidence({ c }: { c: Candidate }) {
  const { t } = useI18n();
  const s = c.summary ?? {};
  return (
    <>
      {t('badges.summary', { answers: String(s.answers ?? '–'), correct: String(s.correct ?? '–') })}
      {(s.from || s.to) && ` · ${day(s.from)} – ${day(s.to)}`}
      <br />
      {t('badges.metAt', { date: day(c.metAt) })}
    </>
  );
}
