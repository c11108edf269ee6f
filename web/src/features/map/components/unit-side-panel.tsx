import { useI18n } from '../../../lib/i18n/i18n.js';
import type { MapGroup, MapNode } from '../../../types/progress-api.js';
import { StateChip } from '../../../components/ui/state-chip.js';

/** A unit of the unit view: its share mastered and its items, each of which opens in the Course of Study view. */
export function UnitSidePanel({ unit, nodes, onOpenItem, onClose }: { unit: MapGroup; nodes: MapNode[]; onOpenItem: (id: string) => void; onClose: () => void }) {
  const { t } = useI18n();
  const s = unit.summary;
  return (
    <article className="map-panel card" aria-labelledby="map-panel-title">
      <header className="map-panel-header">
        <h2 id="map-panel-title">{unit.label}</h2>
        <button type="button" className="button secondary small" onClick={onClose}>
          {t('item.close')}
        </button>
      </header>
      <p>{t('progress.totals', { mastered: s.mastered, total: s.total })}</p>
      <h3>{t('panel.unitItems')}</h3>
      <ul className="unit-items">
        {nodes.map((n) => (
          <li key={n.id}>
            <button type="button" className="link-button" onClick={() => onOpenItem(n.id)} title={t('panel.openItem')}>
              {n.sectionNumber} {n.fullStatement}
            </button>{' '}
            {n.progress && <StateChip state={n.progress.state} label={n.progress.label} blocked={n.progress.blocked} noRecord={n.progress.noRecord} />}
          </li>
        ))}
      </ul>
    </article>
  );
}
