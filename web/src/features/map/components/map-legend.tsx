import { useI18n } from '../../../lib/i18n/i18n.js';
import type { LearningMap, ProficiencyState } from '../../../types/progress-api.js';
import type { BadgeMark, MapBadges } from '../../../types/badges.js';
import { SHARE_COLOURS } from '../lib/map-style.js';
import { itemState } from '../lib/to-elements.js';
import { useStateText } from '../hooks/use-state-text.js';
import '../../../components/ui/proficiency.css';

const STATES: Array<ProficiencyState | 'no_record'> = ['mastered', 'in_progress', 'not_started', 'no_record'];

/** Marked items listed in the legend, each a button that opens it: the badge marks without the canvas. */
const LISTED = 30;

/**
 * Each state's swatch (the same fill and border as on the map), its word and how many items are in it (a class map:
 * each fifth of the class that mastered an item); then the badge marks, with the marked items as buttons (the text
 * alternative of the outlines drawn on the canvas) folded away, so that the map itself comes first.
 */
export function MapLegend({ map, badges, onOpenItem }: { map: LearningMap; badges?: MapBadges | undefined; onOpenItem: (id: string) => void }) {
  const { t } = useI18n();
  const text = useStateText();
  const nodes = new Map(map.nodes.map((n) => [n.id, n]));
  const marked = (kind: BadgeMark) => [...(badges?.marks ?? [])].filter(([id, m]) => m === kind && nodes.has(id)).map(([id]) => nodes.get(id)!);
  const counts = { mastered: 0, in_progress: 0, not_started: 0, no_record: 0, blocked: 0 };
  const shares = [0, 0, 0, 0, 0];
  for (const n of map.nodes) {
    const s = itemState(n.progress, text, n.classShare);
    if (s.state === 'share') shares[s.share]!++;
    else if (s.state !== 'none') counts[s.state]++;
    if (s.blocked) counts.blocked++;
  }
  return (
    <section className="map-legend" aria-label={t('map.legend')}>
      {map.class ? (
        <ul className="share-legend">
          <li className="muted">{t('map.classLegend', { n: map.class.learners })}</li>
          {SHARE_COLOURS.map((c, i) => (
            <li key={i} data-share={i}>
              <span className="swatch" style={{ background: c.fill, borderWidth: 1 + i, borderStyle: 'solid' }} aria-hidden="true" />{' '}
              {t('map.counts', { state: t('map.shareRange', { from: i * 20, to: i === 4 ? 100 : i * 20 + 19 }), n: shares[i]! })}
            </li>
          ))}
        </ul>
      ) : map.learner ? (
        <ul>
          {STATES.map((s) => (
            <li key={s} data-state={s}>
              <span className={`swatch ${s}`} aria-hidden="true" /> {t('map.counts', { state: t(s === 'no_record' ? 'state.none' : `state.${s}`), n: counts[s] })}
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
        const count = (
          <>
            <span className={`swatch badge-${kind}`} aria-hidden="true" /> {t('map.counts', { state: t(`map.badge.${kind}`), n: items.length })}
          </>
        );
        return (
          <div key={kind} className="badge-legend" data-badge={kind}>
            {items.length === 0 ? (
              <p>{count}</p>
            ) : (
              <details>
                <summary>{count}</summary>
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
              </details>
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
