import { useMemo } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import type { StateText } from '../lib/to-elements.js';

/** The words the map's labels carry, in the chosen language. */
export function useStateText(): StateText {
  const { t } = useI18n();
  return useMemo(
    () => ({
      not_started: t('state.not_started'),
      in_progress: t('state.in_progress'),
      mastered: t('state.mastered'),
      blocked: t('state.blocked'),
      no_record: t('state.none'),
      classShare: (mastered, learners, percent) => t('map.classShare', { mastered, learners, percent }),
      classNoRecord: (n) => t('map.classNoRecord', { n }),
      unitCount: (mastered, total) => t('map.unitCount', { mastered, total }),
      grade: (grade) => t('map.grade', { grade }),
      badge: { candidate: t('map.badge.candidate'), issued: t('map.badge.issued') },
    }),
    [t],
  );
}
