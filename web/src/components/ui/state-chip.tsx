import { useI18n } from '../../lib/i18n/i18n.js';
import type { ProficiencyState } from '../../types/progress-api.js';
import './proficiency.css';

/**
 * A proficiency state as a word on its colour, with the teacher label (A/B/C) and "prerequisite missing" when blocked;
 * "no record" (記録なし) for an earlier grade's item without answers.
 */
export function StateChip({ state, label, blocked, noRecord }: { state: ProficiencyState; label?: string | null | undefined; blocked?: boolean | undefined; noRecord?: boolean | undefined }) {
  const { t } = useI18n();
  return (
    <>
      <span className={`state-chip ${noRecord ? 'no_record' : state}`}>
        {t(noRecord ? 'state.none' : `state.${state}`)}
        {label ? ` ${label}` : ''}
      </span>
      {blocked && <span className="state-chip blocked">{t('state.blocked')}</span>}
    </>
  );
}
