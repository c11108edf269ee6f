import { useId, useMemo, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { Link } from '../../../lib/router.js';
import { paths } from '../../../config/paths.js';
import type { Heatmap } from '../../../types/progress-api.js';

type Cell = Heatmap['cells'][number][number];
/** What the state filter and the cells speak of: the state, no record (an earlier grade's item), blocked. */
export type CellState = 'mastered' | 'in_progress' | 'not_started' | 'no_record' | 'blocked';
const CELL_STATES: CellState[] = ['mastered', 'in_progress', 'not_started', 'no_record', 'blocked'];
const stateOf = (c: Cell): CellState => (c.noRecord ? 'no_record' : c.state);
const isIn = (c: Cell, s: CellState) => (s === 'blocked' ? c.blocked : stateOf(c) === s);
type LearnerOrder = 'name' | 'most' | 'fewest';
type ItemOrder = 'curriculum' | 'fewest' | 'most';
/** How far a learner is on an item, for sorting by it: mastered, then in progress, not started, no record. */
const rank: Record<CellState, number> = { mastered: 3, in_progress: 2, blocked: 1, not_started: 1, no_record: 0 };

/**
 * The class × item heatmap: column heads with the item's short name and unit (the full statement as tooltip and
 * accessible name), sticky while the table scrolls; totals of mastered per learner (last column) and per item (last
 * row); learners sorted by name or total, or by one item (its head's button); items in Course of Study order or by
 * how many mastered them; filtered by unit and by state (items where some learner is in it, the others faded).
 */
export function HeatmapTable({ heatmap, framework }: { heatmap: Heatmap; framework: string }) {
  const { t } = useI18n();
  const ids = { unit: useId(), state: useId(), learners: useId(), items: useId() };
  const [unit, setUnit] = useState('');
  const [state, setState] = useState<CellState | ''>('');
  const [learnerOrder, setLearnerOrder] = useState<LearnerOrder>('name');
  const [itemOrder, setItemOrder] = useState<ItemOrder>('curriculum');
  /** Sort learners by this column (index in heatmap.items), least far first: who needs help comes first. */
  const [byItem, setByItem] = useState<number>();

  const units = useMemo(() => [...new Set(heatmap.items.map((i) => i.unit ?? '').filter(Boolean))], [heatmap]);
  const masteredOf = (j: number) => heatmap.cells.reduce((n, row) => n + (row[j]!.state === 'mastered' ? 1 : 0), 0);
  let columns = heatmap.items.map((item, j) => ({ item, j, mastered: masteredOf(j) }));
  if (unit) columns = columns.filter((c) => c.item.unit === unit);
  if (state) columns = columns.filter((c) => heatmap.cells.some((row) => isIn(row[c.j]!, state)));
  if (itemOrder !== 'curriculum') columns = [...columns].sort((a, b) => (itemOrder === 'fewest' ? a.mastered - b.mastered : b.mastered - a.mastered) || a.j - b.j);
  const rowsOf = heatmap.learners.map((learner, i) => ({ learner, i, mastered: columns.reduce((n, c) => n + (heatmap.cells[i]![c.j]!.state === 'mastered' ? 1 : 0), 0) }));
  const byName = (a: (typeof rowsOf)[number], b: (typeof rowsOf)[number]) => a.learner.displayName.localeCompare(b.learner.displayName, 'ja');
  const rows =
    byItem !== undefined
      ? [...rowsOf].sort((a, b) => rank[stateOf(heatmap.cells[a.i]![byItem]!)] - rank[stateOf(heatmap.cells[b.i]![byItem]!)] || byName(a, b))
      : [...rowsOf].sort((a, b) => (learnerOrder === 'most' ? b.mastered - a.mastered : learnerOrder === 'fewest' ? a.mastered - b.mastered : 0) || byName(a, b));

  if (heatmap.items.length === 0) return <p className="muted">{t('dashboard.empty')}</p>;
  return (
    <>
      <div className="dashboard-filters heatmap-tools">
        <label htmlFor={ids.unit}>{t('dashboard.unit')}</label>
        <select id={ids.unit} value={unit} onChange={(e) => setUnit(e.target.value)}>
          <option value="">{t('dashboard.all')}</option>
          {units.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
        <label htmlFor={ids.state}>{t('dashboard.state')}</label>
        <select id={ids.state} value={state} onChange={(e) => setState(e.target.value as CellState | '')}>
          <option value="">{t('dashboard.all')}</option>
          {CELL_STATES.map((s) => (
            <option key={s} value={s}>
              {t(`dashboard.stateFilter.${s}`)}
            </option>
          ))}
        </select>
        <label htmlFor={ids.learners}>{t('dashboard.learnerOrder')}</label>
        <select
          id={ids.learners}
          value={byItem === undefined ? learnerOrder : 'item'}
          onChange={(e) => {
            setByItem(undefined);
            setLearnerOrder(e.target.value as LearnerOrder);
          }}
        >
          <option value="name">{t('dashboard.order.name')}</option>
          <option value="most">{t('dashboard.order.most')}</option>
          <option value="fewest">{t('dashboard.order.fewest')}</option>
          {byItem !== undefined && <option value="item">{t('dashboard.order.item', { item: heatmap.items[byItem]!.shortCode ?? heatmap.items[byItem]!.code ?? '' })}</option>}
        </select>
        <label htmlFor={ids.items}>{t('dashboard.itemOrder')}</label>
        <select id={ids.items} value={itemOrder} onChange={(e) => setItemOrder(e.target.value as ItemOrder)}>
          <option value="curriculum">{t('dashboard.itemOrder.curriculum')}</option>
          <option value="fewest">{t('dashboard.itemOrder.fewest')}</option>
          <option value="most">{t('dashboard.itemOrder.most')}</option>
        </select>
        <span className="muted small" role="status">
          {t('dashboard.shown', { items: columns.length, total: heatmap.items.length })}
        </span>
      </div>
      {columns.length === 0 ? (
        <p className="muted">{t('dashboard.empty')}</p>
      ) : (
        <div className="heatmap-scroll" tabIndex={0} role="region" aria-label={t('dashboard.heatmap')}>
          <table className="heatmap">
            <thead>
              <tr>
                <th scope="col">{t('dashboard.learner')}</th>
                {columns.map(({ item, j }) => (
                  <th key={item.id} scope="col" title={`${item.code ?? ''} ${item.unit ?? ''}\n${item.fullStatement}`} aria-sort={byItem === j ? 'ascending' : undefined} data-item={item.id}>
                    <button type="button" className="item-head" onClick={() => setByItem(byItem === j ? undefined : j)} aria-label={t('dashboard.sortByItem', { code: item.shortCode ?? item.code ?? '', unit: item.unit ?? item.category ?? '', statement: item.fullStatement })}>
                      <strong>{item.shortCode ?? item.code}</strong>
                      <span className="item-unit">{item.unit ?? item.category}</span>
                    </button>
                  </th>
                ))}
                <th scope="col" className="total">
                  {t('dashboard.learnerTotal')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ learner, i, mastered }) => (
                <tr key={learner.id}>
                  <th scope="row">
                    <Link to={paths.map({ framework, learner: learner.id })} aria-label={t('dashboard.openMap', { name: learner.displayName })}>
                      {learner.displayName}
                    </Link>
                  </th>
                  {columns.map(({ item, j }) => {
                    const cell = heatmap.cells[i]![j]!;
                    const words = `${t(cell.noRecord ? 'state.none' : `state.${cell.state}`)}${cell.label ? ` ${cell.label}` : ''}${cell.blocked ? ` · ${t('state.blocked')}` : ''}`;
                    const dim = state && !isIn(cell, state) ? ' dim' : '';
                    return (
                      <td key={item.id} className={`cell ${stateOf(cell)}${cell.blocked ? ' blocked' : ''}${dim}`} title={`${learner.displayName} · ${item.shortCode ?? item.code} ${item.fullStatement} · ${words}`}>
                        <Link to={paths.map({ framework, learner: learner.id, item: item.id })} aria-label={`${learner.displayName}: ${item.fullStatement}: ${words}`}>
                          {cell.noRecord ? '–' : cell.state === 'not_started' ? '·' : `${cell.label ?? ''}${cell.state === 'mastered' ? '✓' : ''}`}
                        </Link>
                      </td>
                    );
                  })}
                  <td className="total">{t('dashboard.fraction', { n: mastered, total: columns.length })}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('dashboard.itemTotal')}</th>
                {columns.map(({ item, mastered }) => (
                  <td key={item.id} className="total" title={t('dashboard.itemTotalOf', { code: item.shortCode ?? item.code ?? '', n: mastered, total: heatmap.learners.length })}>
                    {mastered}
                  </td>
                ))}
                <td className="total">{t('dashboard.fraction', { n: rows.reduce((n, r) => n + r.mastered, 0), total: rows.length * columns.length })}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </>
  );
}
