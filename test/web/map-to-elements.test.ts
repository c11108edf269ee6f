import { describe, expect, it } from 'vitest';
import type { EdgeType, MapNode } from '../../web/src/types/progress-api.js';
import { itemNodeState, nodeStates, searchNodes, toElements, traceHighlight, unitNodeState, wrapText, type MapOptions, type StateText } from '../../web/src/features/map/lib/to-elements.js';
import { layoutLayers } from '../../web/src/features/map/lib/layout.js';
import { mathMap, progressOf, syntheticMap } from './map-fixture.js';

const text: StateText = {
  not_started: '未学習',
  in_progress: '学習中',
  mastered: '習得',
  blocked: '前提未習得',
  no_record: '記録なし',
  classShare: (m, l, p) => `習得 ${m}/${l} 人 (${p}%)`,
  classNoRecord: (n) => `記録なし ${n} 人`,
  unitCount: (m, t) => `${m}/${t}`,
  grade: (g) => `第${g}学年`,
};
const opts = (view: MapOptions['view'], types: EdgeType[] = ['precedes', 'isRelatedTo', 'isChildOf']): MapOptions => ({ view, edgeTypes: new Set(types), text });
/** Mastered in grade 1, in progress (blocked in domain B) in grade 2, not started after. */
const stateOf = (n: MapNode) => (n.grade === '1' ? progressOf('mastered') : n.grade === '2' ? progressOf('in_progress', n.domainCode === 'B') : progressOf('not_started'));

describe('wrapText', () => {
  it('counts full-width characters as one column and half-width as half, and ends a cut text with …', () => {
    expect(wrapText('あいうえおかきく', 3, 5)).toEqual(['あいう', 'えおか', 'きく']);
    expect(wrapText('abcdef', 2, 5)).toEqual(['abcd', 'ef']);
    expect(wrapText('あいうえおかきく', 3, 2)).toEqual(['あいう', 'えお…']);
    expect(wrapText('  a\n b ', 5, 1)).toEqual(['a b']);
  });
});

describe('toElements: the curriculum view of 算数 2017', () => {
  const map = mathMap({ stateOf });
  const { elements, layout } = toElements(map, opts('curriculum'));
  const nodes = elements.filter((e) => e.group === 'nodes');
  const items = nodes.filter((e) => e.data['kind'] === 'item');
  const byId = new Map(nodes.map((e) => [e.data.id!, e]));

  it('has one node per content item (217) and the grade → domain → category boxes behind them', () => {
    expect(items).toHaveLength(217);
    expect(layout).toHaveLength(217);
    expect(nodes.filter((e) => e.data['kind'] === 'grade').map((e) => e.data['label'])).toEqual(['第１学年', '第２学年', '第３学年', '第４学年', '第５学年', '第６学年']);
    // Each box names the layout rectangle it is drawn in: a unit's box, its domain's cell, its grade's column.
    const category = byId.get('8250213110000000')!;
    expect(category.data['label']).toBe('(1) 数の構成と表し方');
    expect(category.data['rect']).toBe('box:8250213110000000');
    const domain = byId.get('8250213100000000')!;
    expect(domain.data['label']).toBe('第1学年 Ａ 数と計算');
    expect(domain.data['rect']).toBe('cell:1|0');
    expect(byId.get('8250210000000000')!.data['rect']).toBe('layer:1');
    const { rects, positions } = layoutLayers(layout);
    for (const g of nodes.filter((e) => e.data['rect'])) expect(rects[g.data['rect']], g.data['rect']).toBeDefined();
    // The item lies inside its unit's box, which lies inside its domain's cell and its grade's column.
    const inside = (p: { x: number; y: number }, r: { x: number; y: number; width: number; height: number }) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;
    const item = positions['8250213111100000']!;
    for (const key of ['box:8250213110000000', 'cell:1|0', 'layer:1']) expect(inside(item, rects[key]!), key).toBe(true);
    expect(inside(item, rects['layer:2']!)).toBe(false);
    // Boxes are drawn first (behind) and items carry no compound parent.
    expect(elements.findIndex((e) => e.data['kind'] === 'item')).toBeGreaterThan(elements.map((e) => e.data['rect']).lastIndexOf(elements.filter((e) => e.data['rect']).at(-1)!.data['rect']));
    expect(items.every((e) => e.data.parent === undefined)).toBe(true);
  });

  it('labels each item with its words and its state in words, never colour alone', () => {
    const first = byId.get('8250213111100000')!.data;
    expect(first['state']).toBe('mastered');
    expect(String(first['label']).split('\n')).toEqual(['(ア) ものとものとを対応さ', 'せることによって，ものの…', '習得 A']);
    const blocked = items.find((e) => e.data['code'] === '8250223211100000')!.data;
    expect(blocked['state']).toBe('in_progress');
    expect(blocked['blocked']).toBe(true);
    expect(String(blocked['label']).split('\n').at(-1)).toBe('学習中 C · 前提未習得');
    const later = items.find((e) => e.data['code']!.startsWith('825026'))!.data;
    expect(String(later['label']).split('\n').at(-1)).toBe('未学習');
  });

  it('draws precedes edges between items, and drops the edges whose type is off', () => {
    const edges = elements.filter((e) => e.group === 'edges');
    expect(edges.length).toBe(map.edges.filter((e) => e.type === 'precedes').length);
    expect(edges.every((e) => e.data['type'] === 'precedes' && byId.has(e.data.source!) && byId.has(e.data.target!))).toBe(true);
    const flat = toElements(map, opts('curriculum', ['isRelatedTo']));
    expect(flat.elements.filter((e) => e.group === 'edges')).toHaveLength(0);
    // isChildOf off: no boxes.
    expect(flat.elements.filter((e) => e.group === 'nodes')).toHaveLength(217);
  });

  it('feeds the layout grades as columns and domains as rows, so the map reads by grade', () => {
    const { positions } = layoutLayers(layout);
    const x = (code: string) => positions[code]!.x;
    const y = (code: string) => positions[code]!.y;
    // Grade 1 A (数と計算) is left of grade 2 A; 算数's domain A lies above domain B in every grade.
    expect(x('8250213111100000')).toBeLessThan(x('8250223111100000'));
    expect(y('8250213111100000')).toBeLessThan(y('8250213211100000'));
    // Every precedes edge within the fixture points rightwards or downwards inside a grade.
    for (const e of map.edges.filter((e) => e.type === 'precedes')) expect(x(e.target) >= x(e.source) || y(e.target) > y(e.source)).toBe(true);
  });
});

describe('toElements: the unit view', () => {
  const map = mathMap({ view: 'unit', stateOf });
  const { elements, layout } = toElements(map, opts('unit'));
  const units = elements.filter((e) => e.data['kind'] === 'unit');

  it('has one node per unit with the share mastered, inside grade boxes, and the unit prerequisite edges', () => {
    expect(units).toHaveLength(map.groups.length);
    expect(elements.filter((e) => e.data['kind'] === 'grade')).toHaveLength(6);
    expect(layout).toHaveLength(units.length);
    const first = units.find((u) => u.data.id === '8250213110000000')!.data;
    // (1) 数の構成と表し方 of grade 1 has 9 content items (category_code 8250213110000000 in the demo table).
    expect(String(first['label']).split('\n').at(-1)).toBe('習得 9/9');
    expect(elements.find((e) => e.data.id === 'grade:1')!.data['rect']).toBe('layer:1');
    const edges = elements.filter((e) => e.group === 'edges');
    expect(edges).toHaveLength(map.unitEdges.length);
    expect(edges.length).toBeGreaterThan(10);
  });

  it('replays another date by new node states only (same ids)', () => {
    const later = mathMap({ view: 'unit', stateOf: () => progressOf('mastered') });
    const states = nodeStates(later, opts('unit'));
    expect([...states.keys()].sort()).toEqual(units.map((u) => u.data.id!).sort());
    expect([...states.values()].every((s) => s.state === 'mastered')).toBe(true);
  });
});

describe('traceHighlight and searchNodes', () => {
  const map = mathMap({ stateOf });
  it('highlights the item, every node on a trace-back path and the precedes edges of those paths', () => {
    const [a, b, c, other] = ['8250213111100000', '8250213111200000', '8250213111300000', '8250213111400000'];
    const item = { id: c!, code: c!, fullStatement: '', grade: '1', domain: null, category: null };
    const h = traceHighlight({
      item,
      traceBack: [{ item: { ...item, id: a! }, hops: 2, probability: 0.2, correctRate: 0.2, labelBasis: 'correctRate', state: 'in_progress', label: 'C', score: 0.4, path: [a!, b!, c!] }],
      pathEdges: [
        { id: `p:${a}>${b}`, source: a!, target: b! },
        { id: `p:${b}>${c}`, source: b!, target: c! },
        { id: 'stray', source: other!, target: c! },
      ],
    });
    expect([...h.nodes].sort()).toEqual([a, b, c].sort());
    expect([...h.edges].sort()).toEqual([`e:p:${a}>${b}`, `e:p:${b}>${c}`]);
    // The ids match the edges the map draws.
    const drawn = new Set(toElements(map, opts('curriculum')).elements.map((e) => e.data.id));
    for (const id of h.edges) expect(drawn.has(id)).toBe(true);
  });

  it('finds nodes by code and by words', () => {
    expect(searchNodes(map, 'curriculum', '8250213111200000')).toEqual(['8250213111200000']);
    expect(searchNodes(map, 'curriculum', '個数を比べる')).toEqual(['8250213111100000']);
    expect(searchNodes(map, 'curriculum', '  ')).toEqual([]);
    expect(searchNodes(mathMap({ view: 'unit' }), 'unit', '数の構成').length).toBeGreaterThanOrEqual(1);
  });
});

// How fast: npm run bench (bench/map.ts), against parsing the same data in the same run.
describe('toElements at 5,000 items', () => {
  it('builds a node per item and a layout entry per item', () => {
    const map = syntheticMap(5000);
    const { elements, layout } = toElements(map, opts('curriculum'));
    expect(layout).toHaveLength(5000);
    expect(elements.filter((e) => e.group === 'nodes' && e.classes?.includes('item'))).toHaveLength(5000);
  });
});

describe('itemNodeState', () => {
  it('labels an item with its Markdown statement as plain words (canvas labels draw no markup)', () => {
    const node = { ...mathMap({ stateOf }).nodes[0]!, sectionNumber: null, fullStatement: '**Use** *place value*' };
    expect(itemNodeState(node, text).label.split('\n')[0]).toBe('Use place value');
  });
});

describe('no record and the class map', () => {
  const node = mathMap({ stateOf }).nodes.find((n) => n.grade === '1')!;

  it('draws an earlier grade’s item without answers as “no record”, not “not started”, in words and state', () => {
    const s = itemNodeState({ ...node, progress: { ...progressOf('not_started'), noRecord: true } }, text);
    expect(s.state).toBe('no_record');
    expect(s.label.split('\n').at(-1)).toBe('記録なし');
    expect(itemNodeState({ ...node, progress: progressOf('not_started') }, text).label.split('\n').at(-1)).toBe('未学習');
  });

  it('colours a class map’s item by the fifth of the class that mastered it and says the share in words', () => {
    const share = (mastered: number, noRecord = 0) => itemNodeState({ ...node, progress: null, classShare: { learners: 35, mastered, inProgress: 0, notStarted: 35 - mastered, noRecord } }, text);
    expect([0, 6, 7, 14, 21, 27, 28, 35].map((m) => share(m).share)).toEqual([0, 0, 1, 2, 3, 3, 4, 4]);
    expect(share(12).state).toBe('share');
    expect(share(12).label.split('\n').at(-1)).toBe('習得 12/35 人 (34%)');
    expect(share(4, 20).label.split('\n').at(-1)).toBe('習得 4/35 人 (11%) · 記録なし 20 人');
    // A unit of the class map: the pairs of its items summed.
    const unit = { id: 'u', kind: 'unit' as const, label: 'U', parent: null, order: 0, summary: { total: 2, mastered: 0, inProgress: 0, notStarted: 0 }, classShare: { learners: 70, mastered: 35, inProgress: 0, notStarted: 35, noRecord: 0 } };
    expect(unitNodeState(unit, false, text)).toMatchObject({ state: 'share', share: 2 });
  });
});
