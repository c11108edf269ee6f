import { useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import type { EdgeType, LearningMap, MapNode, MapView } from '../../../types/progress-api.js';
import { useLearningMap, useUnitSchemes } from '../api/get-map.js';
import { useLearnerItem } from '../api/get-learner-item.js';
import { useStateText } from '../hooks/use-state-text.js';
import { itemState, searchNodes, toElements, traceHighlight } from '../lib/to-elements.js';
import type { BadgeMark, MapBadges } from '../../../types/badges.js';
import { schoolYearChoices, schoolYearOf, schoolYearRange, todayInTokyo } from '../lib/dates.js';
import { LearningMap as MapCanvas } from './learning-map.js';
import { DateSlider } from './date-slider.js';
import { MapLegend } from './map-legend.js';
import { ItemSidePanel } from './item-side-panel.js';
import { CrossLinks } from './cross-links.js';
import { UnitSidePanel } from './unit-side-panel.js';

const EDGE_TYPES: EdgeType[] = ['precedes', 'isRelatedTo', 'isChildOf'];
const VIEWS: MapView[] = ['curriculum', 'unit'];

interface Props {
  framework: string;
  /** Null: the framework without anybody's progress (a teacher's overview), or a class's map (`classId`). */
  learner: string | null;
  /** A class's map: each item coloured by the share of the class's learners who mastered it. */
  classId?: string | undefined;
  itemId: string | undefined;
  /** The selected item goes to the URL, so it can be linked and survives a reload. */
  onItem: (id: string | undefined) => void;
  /**
   * Badge marks of the learner's items (the badges feature fills them: candidates for a teacher, issued badges for
   * the learner) and the kinds the legend explains.
   */
  badges?: MapBadges | undefined;
  /** More for the selected item's side panel (e.g. its badge candidate with Approve / Dismiss). */
  itemExtra?: ((node: MapNode) => ReactNode) | undefined;
  /** Only the map, search and legend (the passport's): no view switch, relation toggles or date slider. */
  compact?: boolean;
}

/**
 * The learning map with its tools: view (Course of Study or units), relations shown, search, the date slider and
 * the side panel of the selected item (evidence, trace-back highlighted on the map) or unit.
 */
export function MapExplorer({ framework, learner, classId, itemId, onItem, badges, itemExtra, compact = false }: Props) {
  const { t, lang } = useI18n();
  const text = useStateText();
  const keysId = useId();
  const [view, setView] = useState<MapView>('curriculum');
  const [edgeTypes, setEdgeTypes] = useState<ReadonlySet<EdgeType>>(() => new Set(['precedes', 'isChildOf']));
  const [day, setDay] = useState<string>();
  const [unitId, setUnitId] = useState<string>();
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [year, setYear] = useState<number>();
  const today = useMemo(() => todayInTokyo(), []);
  // The unit view groups by a textbook's units when a unit scheme was imported for the framework (the first,
  // or the one chosen), else by the Course of Study's sections ('' here).
  const schemes = useUnitSchemes(framework).data?.schemes ?? [];
  const [schemeChoice, setSchemeChoice] = useState<string>();
  const scheme = schemeChoice ?? schemes[0]?.identifier ?? '';
  const units = view === 'unit' && scheme ? scheme : undefined;

  // Today's map gives the structure and the school years with answers; another day's map only changes the states.
  const base = useLearningMap({ framework, learner: learner ?? undefined, classId, view, units });
  const choices = useMemo(() => schoolYearChoices(base.data?.nodes.map((n) => n.progress?.lastAt) ?? [], today), [base.data, today]);
  // The slider stays in one school year: today's when it has answers, else the latest that has (its last day shown).
  const shownYear = year ?? choices.initial;
  const range = schoolYearRange(shownYear, today);
  const shownDay = day ?? range.max;
  const dated = useLearningMap(shownDay !== today ? { framework, learner: learner ?? undefined, classId, view, units, asOf: shownDay } : null);
  const shown = useRef<LearningMap | undefined>(undefined);
  const current = (shownDay !== today ? dated.data : base.data) ?? (shown.current?.view === view ? shown.current : undefined);
  useEffect(() => {
    if (current) shown.current = current;
  }, [current]);

  // A framework without precedes (Smarter Balanced's join groups, not items) connects by its related links.
  const noPrecedes = !!base.data && !base.data.edges.some((e) => e.type === 'precedes');
  useEffect(() => {
    if (noPrecedes) setEdgeTypes((s) => new Set([...s, 'isRelatedTo']));
  }, [noPrecedes, framework]);

  const marks = badges?.marks;
  const elements = useMemo(() => current && toElements(current, { view, edgeTypes, text, badges: marks }), [current, view, edgeTypes, text, marks]);
  const layoutKey = current ? `${current.framework.identifier}|${view}|${units ?? ''}|${current.nodes.length}|${current.groups.length}` : '';
  const structureKey = `${layoutKey}|${[...edgeTypes].sort().join(',')}|${lang}`;

  const asOf = shownDay !== today ? shownDay : undefined;
  const selectedNode = view === 'curriculum' && itemId ? current?.nodes.find((n) => n.id === itemId) : undefined;
  const detail = useLearnerItem(learner, selectedNode ? itemId! : null, { framework, asOf });
  const highlight = useMemo(() => (detail.data && detail.data.item.id === itemId ? traceHighlight(detail.data) : undefined), [detail.data, itemId]);
  const matches = useMemo(() => (current ? searchNodes(current, view, deferredQuery) : []), [current, view, deferredQuery]);

  const onSelect = useCallback((id: string | undefined) => (view === 'unit' ? setUnitId(id) : onItem(id)), [view, onItem]);
  const describe = useCallback(
    (id: string) => {
      const n = current?.nodes.find((x) => x.id === id);
      const mark = marks?.get(id);
      if (n) return `${n.sectionNumber ?? ''} ${n.fullStatement} ${itemState(n.progress, text, n.classShare).stateLine} ${mark ? t(`map.badge.${mark}`) : ''}`;
      const g = current?.groups.find((x) => x.id === id);
      return g ? `${g.label} ${t('progress.totals', { mastered: g.summary.mastered, total: g.summary.total })}` : '';
    },
    [current, t, text, marks],
  );

  if (base.error) return <ErrorMessage error={base.error} onRetry={base.reload} />;
  const unit = view === 'unit' && unitId ? current?.groups.find((g) => g.id === unitId) : undefined;

  return (
    <div className={compact ? 'map-explorer compact' : 'map-explorer'}>
      <div className="map-toolbar">
        {!compact && (
          <>
            <fieldset className="segmented">
              <legend>{t('map.view')}</legend>
              {VIEWS.map((v) => (
                <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
                  {t(`map.view.${v}`)}
                </button>
              ))}
            </fieldset>
            <fieldset className="edge-toggles">
              <legend>{t('map.edges')}</legend>
              {EDGE_TYPES.map((e) => (
                <label key={e}>
                  <input
                    type="checkbox"
                    checked={edgeTypes.has(e)}
                    onChange={() => {
                      const next = new Set(edgeTypes);
                      if (next.has(e)) next.delete(e);
                      else next.add(e);
                      setEdgeTypes(next);
                    }}
                  />{' '}
                  {t(`map.edge.${e}`)}
                </label>
              ))}
            </fieldset>
          </>
        )}
        <div className="map-search">
          <label>
            <span className="visually-hidden">{t('map.search')}</span>
            <input type="search" placeholder={t('map.searchPlaceholder')} value={query} onChange={(e) => setQuery(e.target.value)} aria-label={t('map.search')} />
          </label>
          {deferredQuery.trim() && (
            <span className="muted" role="status">
              {t('map.matches', { n: matches.length })}
            </span>
          )}
        </div>
        {view === 'unit' && schemes.length > 0 && !compact && (
          <label className="unit-scheme">
            {t('map.unitScheme')}{' '}
            <select value={scheme} onChange={(e) => setSchemeChoice(e.target.value)}>
              {schemes.map((s) => (
                <option key={s.identifier} value={s.identifier}>
                  {s.title}
                </option>
              ))}
              <option value="">{t('map.unitScheme.cos')}</option>
            </select>
          </label>
        )}
        {learner && !compact && (
          <DateSlider
            year={shownYear}
            years={choices.years}
            terms={base.data?.schoolTerms ?? []}
            onYear={(y) => {
              setYear(y);
              setDay(undefined);
            }}
            min={range.min}
            max={range.max}
            value={shownDay}
            onChange={setDay}
          />
        )}
      </div>
      {current && <MapLegend map={current} badges={view === 'curriculum' ? badges : undefined} onOpenItem={onItem} />}
      <div className="map-body">
        {!current || !elements ? (
          <Loading />
        ) : (
          <MapCanvas
            elements={elements}
            layoutKey={layoutKey}
            structureKey={structureKey}
            selected={view === 'unit' ? unitId : itemId}
            highlight={view === 'curriculum' ? highlight : undefined}
            matches={matches}
            label={t('map.label')}
            describedBy={keysId}
            onSelect={onSelect}
            describe={describe}
            tracePartial={t('map.tracePartial')}
          />
        )}
        {selectedNode && (
          <ItemSidePanel node={selectedNode} detail={learner ? detail : null} onSelect={onItem} onClose={() => onItem(undefined)}>
            {itemExtra?.(selectedNode)}
            <CrossLinks itemId={selectedNode.id} links={current?.crossLinks ?? []} />
          </ItemSidePanel>
        )}
        {unit && current && (
          <UnitSidePanel
            unit={unit}
            nodes={current.nodes.filter((n) => n.group === unit.id)}
            onOpenItem={(id) => {
              setView('curriculum');
              setUnitId(undefined);
              onItem(id);
            }}
            onClose={() => setUnitId(undefined)}
          />
        )}
      </div>
      <p id={keysId} className="muted small map-keys">
        {t('map.keys')}
      </p>
    </div>
  );
}
