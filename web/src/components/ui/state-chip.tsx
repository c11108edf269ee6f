import { useI18n } from '../../lib/i18n/i18n.js';
import type { ProficiencyState } from '../../types/progress-api.js';
import './proficiency.css';

/** A proficiency state as a word on its colour, with the teacher label (A/B/C) and "prerequisite missing" when blocked. */
export function StateChip({ state, label, blocked }: { state: ProficiencyState; label?: string | null | undefined; blocked?: boolean | undefined }) {
  const { t } = useI18n();
  return (
    <>
      <span className={`state-chip ${state}`}>
        {t(`state.${state}`)}
        {label ? ` ${label}` : ''}
      </span>
      {blocked && <span className="state-chip blocked">{t('state.blocked')}</span>}
    </>
  );
}
