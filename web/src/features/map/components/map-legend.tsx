import { useI18n } from '../../../lib/i18n/i18n.js';
import type { LearningMap, ProficiencyState } from '../../../types/progress-api.js';
import '../../../components/ui/proficiency.css';

const STATES: ProficiencyState[] = ['mastered', 'in_progress', 'not_started'];

/** Each state's swatch (the same fill and border as on the map), its word and how many items are in it. */
export function MapLegend({ map }: { map: LearningMap }) {
  const { t } = useI18n();
  const counts = { mastered: 0, in_progress: 0, not_started: 0, blocked: 0 };
  for (const n of map.nodes) {
    if (!n.progress) continue;
    counts[n.progress.state]++;
    if (n.progress.blocked) counts.blocked++;
  }
  return (
    <section className="map-legend" aria-label={t('map.legend')}>
      {map.learner ? (
        <ul>
          {STATES.map((s) => (
            <li key={s} data-state={s}>
              <span className={`swatch ${s}`} aria-hidden="true" /> {t('map.counts', { state: t(`state.${s}`), n: counts[s] })}
            </li>
          ))}
          <li data-state="blocked">
            <span className="swatch blocked" aria-hidden="true" /> {t('map.counts', { state: t('state.blocked'), n: counts.blocked })}
          </li>
          {map.labels.length > 0 && <li className="muted">{map.labels.map((l) => `${l.label} ≥ ${Math.round(l.min * 100)}%`).join(' · ')}</li>}
        </ul>
      ) : (
        <p className="muted">{t('map.overview')}</p>
      )}
      <ul className="edge-legend">
        <li>
          <span className="line precedes" aria-hidden="true" /> {t('map.edge.precedes')}
        </li>
        <li>
          <span className="line related" aria-hidden="true" /> {t('map.edge.isRelatedTo')}
        </li>
      </ul>
    </section>
  );
}
