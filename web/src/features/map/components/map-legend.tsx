import { useI18n } from '../../../lib/i18n/i18n.js';
import type { LearningMap, ProficiencyState } from '../../../types/progress-api.js';
import type { BadgeMark, MapBadges } from '../../../types/badges.js';
import '../../../components/ui/proficiency.css';

const STATES: ProficiencyState[] = ['mastered', 'in_progress', 'not_started'];

/** Marked items listed in the legend, each a button that opens it: the badge marks without the canvas. */
const LISTED = 30;

/**
 * Each state's swatch (the same fill and border as on the map), its word and how many items are in it; then the
 * badge marks, with the marked items as buttons (the text alternative of the outlines drawn on the canvas).
 */
export function MapLegend({ map, badges, onOpenItem }: { map: LearningMap; badges?: MapBadges | undefined; onOpenItem: (id: string) => void }) {
  const { t } = useI18n();
  const nodes = new Map(map.nodes.map((n) => [n.id, n]));
  const marked = (kind: BadgeMark) => [...(badges?.marks ?? [])].filter(([id, m]) => m === kind && nodes.has(id)).map(([id]) => nodes.get(id)!);
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
      {badges?.kinds.map((kind) => {
        const items = marked(kind);
        return (
          <div key={kind} className="badge-legend" data-badge={kind}>
            <p>
              <span className={`swatch badge-${kind}`} aria-hidden="true" /> {t('map.counts', { state: t(`map.badge.${kind}`), n: items.length })}
            </p>
            {items.length > 0 && (
              <ul aria-label={t(`map.badge.${kind}List`)}>
                {items.slice(0, LISTED).map((n) => (
                  <li key={n.id}>
                    <button type="button" className="link-button" onClick={() => onOpenItem(n.id)}>
                      <span className="code">{n.code}</span> {n.sectionNumber} {n.fullStatement.slice(0, 40)}
                      {n.fullStatement.length > 40 ? '…' : ''}
                    </button>
                  </li>
                ))}
                {items.length > LISTED && <li className="muted">{t('panel.evidenceMore', { n: items.length - LISTED })}</li>}
              </ul>
            )}
          </div>
        );
      })}
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
