import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import type { LearningMap, MapEdge, MapGroup, MapNode, Me, ProficiencyState, Progress } from '../../web/src/types/progress-api.js';

/**
 * Learning maps shaped exactly like GET /api/progress/map (docs/progress-api.md), for the map's unit tests and for
 * browser tests that measure the map alone: the real 算数 2017 hierarchy from the demo table, or a synthetic
 * framework of any size. Identifiers are the Course of Study Codes (the UI treats them as opaque).
 */
type Row = Record<string, string>;
const CSV = fileURLToPath(new URL('../../assets/frameworks/elementary-math-2017.csv', import.meta.url));

const LABELS: LearningMap['labels'] = [
  { label: 'A', min: 0.8 },
  { label: 'B', min: 0.5 },
  { label: 'C', min: 0 },
];

export function progressOf(state: ProficiencyState, blocked = false): Progress {
  if (state === 'not_started') return { state, label: null, probability: 0.2, blocked, attempts: 0, correct: 0, correctRate: null, lastAt: null };
  if (state === 'mastered') return { state, label: 'A', probability: 0.95, blocked: false, attempts: 5, correct: 5, correctRate: 1, lastAt: '2025-06-01T01:00:00.000Z' };
  return { state, label: 'C', probability: 0.35, blocked, attempts: 4, correct: 1, correctRate: 0.25, lastAt: '2025-06-01T01:00:00.000Z' };
}

const summarise = (map: Pick<LearningMap, 'nodes' | 'groups' | 'learner'>) => {
  const parentOf = new Map(map.groups.map((g) => [g.id, g.parent]));
  for (const g of map.groups) g.summary = { total: 0, mastered: 0, inProgress: 0, notStarted: 0 };
  const byId = new Map(map.groups.map((g) => [g.id, g]));
  for (const n of map.nodes) {
    for (let id = n.group; id; id = parentOf.get(id) ?? null) {
      const s = byId.get(id)!.summary;
      s.total++;
      const st = n.progress?.state ?? 'not_started';
      if (st === 'mastered') s.mastered++;
      else if (st === 'in_progress') s.inProgress++;
      else s.notStarted++;
    }
  }
};

/**
 * 算数 2017: 217 content items under grade → domain → category groups; `precedes` chains each category's items in
 * order and links a category's last item to the first item of the same-named category a grade later.
 * `stateOf(node, index)` gives each item's progress (null: no learner).
 */
export function mathMap(opts: { view?: 'curriculum' | 'unit'; stateOf?: (n: MapNode, i: number) => Progress | null } = {}): LearningMap {
  const view = opts.view ?? 'curriculum';
  const rows = parse(readFileSync(CSV), { columns: true, skip_empty_lines: true }) as Row[];
  const byCode = new Map(rows.map((r) => [r['code']!, r]));
  const ancestor = (code: string, level: string): Row | undefined => {
    for (let r = byCode.get(code); r; r = byCode.get(r['parent_code']!)) if (r['level'] === level) return r;
    return undefined;
  };
  const groups = new Map<string, MapGroup>();
  const group = (r: Row, kind: MapGroup['kind'], parent: string | null, label: string) => {
    if (!groups.has(r['code']!)) groups.set(r['code']!, { id: r['code']!, kind, label, code: r['code']!, parent, grade: r['grade'] || null, order: Number(r['order']), summary: { total: 0, mastered: 0, inProgress: 0, notStarted: 0 } });
  };
  const nodes: MapNode[] = [];
  for (const r of rows.filter((x) => x['level'] === 'content')) {
    const category = ancestor(r['code']!, 'category')!;
    const domain = ancestor(r['code']!, 'domain')!;
    const grade = ancestor(r['code']!, 'grade')!;
    if (view === 'curriculum') {
      group(grade, 'grade', null, grade['text']!.replace(/[〔〕]/g, ''));
      group(domain, 'domain', grade['code']!, `${domain['section_number']} ${domain['text']}`);
      group(category, 'category', domain['code']!, `${category['section_number']} ${category['category']}`);
    } else {
      group(category, 'unit', null, `${grade['text']!.replace(/[〔〕]/g, '')} ${category['section_number']} ${category['category']}`);
    }
    nodes.push({
      id: r['code']!,
      code: r['code']!,
      fullStatement: r['text']!,
      grade: r['grade']!,
      domain: r['domain']!.replace(/^\S+\s/, ''),
      domainCode: r['domain_id']!,
      category: r['category']!,
      viewpoint: r['viewpoint']!,
      sectionNumber: r['section_number']!,
      order: Number(r['order']),
      group: category['code']!,
      unit: category['code']!,
      progress: null,
    });
  }
  nodes.sort((a, b) => Number(a.grade) - Number(b.grade) || a.order - b.order);
  nodes.forEach((n, i) => (n.progress = opts.stateOf?.(n, i) ?? null));

  const edges: MapEdge[] = [];
  const byCategory = new Map<string, MapNode[]>();
  for (const n of nodes) byCategory.set(n.group!, [...(byCategory.get(n.group!) ?? []), n]);
  for (const list of byCategory.values()) for (let i = 1; i < list.length; i++) edges.push({ id: `p:${list[i - 1]!.id}>${list[i]!.id}`, type: 'precedes', source: list[i - 1]!.id, target: list[i]!.id });
  const lists = [...byCategory.values()];
  for (const list of lists) {
    const last = list.at(-1)!;
    const next = lists.find((l) => l[0]!.category === last.category && Number(l[0]!.grade) === Number(last.grade) + 1);
    if (next) edges.push({ id: `p:${last.id}>${next[0]!.id}`, type: 'precedes', source: last.id, target: next[0]!.id });
  }
  for (const n of nodes) edges.push({ id: `c:${n.id}`, type: 'isChildOf', source: n.id, target: n.group! });
  const unitEdges = new Map<string, { source: string; target: string; count: number }>();
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  for (const e of edges) {
    if (e.type !== 'precedes') continue;
    const s = nodeById.get(e.source)!.unit!;
    const t = nodeById.get(e.target)!.unit!;
    if (s === t) continue;
    const k = `${s}>${t}`;
    unitEdges.set(k, { source: s, target: t, count: (unitEdges.get(k)?.count ?? 0) + 1 });
  }
  const learner = opts.stateOf ? { id: 'learner-1', displayName: '児童 01' } : null;
  const map: LearningMap = {
    crossLinks: [],
    framework: { identifier: 'math-2017', title: '小学校学習指導要領（平成29年告示）算数' },
    learner,
    asOf: '2025-07-20',
    view,
    labels: LABELS,
    labelBasis: 'correctRate',
    nodes,
    edges,
    groups: [...groups.values()],
    unitEdges: [...unitEdges.values()],
  };
  summarise(map);
  return map;
}

/** `size` items over 12 grades × 5 domains × units of 8, with precedes chains inside units and across grades. */
export function syntheticMap(size: number): LearningMap {
  const nodes: MapNode[] = [];
  const groups: MapGroup[] = [];
  const edges: MapEdge[] = [];
  const states: ProficiencyState[] = ['mastered', 'in_progress', 'not_started'];
  const empty = () => ({ total: 0, mastered: 0, inProgress: 0, notStarted: 0 });
  const seen = new Set<string>();
  for (let i = 0; i < size; i++) {
    const grade = String(1 + (i % 12));
    const domain = Math.floor(i / 12) % 5;
    const unitNo = Math.floor(i / 480);
    const g = `g${grade}`;
    const d = `${g}d${domain}`;
    const u = `${d}u${unitNo}`;
    if (!seen.has(g)) groups.push({ id: g, kind: 'grade', label: `第${grade}学年`, parent: null, grade, order: Number(grade), summary: empty() });
    if (!seen.has(d)) groups.push({ id: d, kind: 'domain', label: `領域 ${'ABCDE'[domain]}`, parent: g, grade, order: domain, summary: empty() });
    if (!seen.has(u)) groups.push({ id: u, kind: 'category', label: `(${unitNo + 1}) 単元 ${unitNo + 1}`, parent: d, grade, order: i, summary: empty() });
    [g, d, u].forEach((x) => seen.add(x));
    nodes.push({
      id: `n${i}`,
      code: `S${String(i).padStart(5, '0')}`,
      fullStatement: `合成した学習内容 ${i}：数や図形についての理解を深めること。`,
      grade,
      domain: `領域 ${'ABCDE'[domain]}`,
      domainCode: 'ABCDE'[domain]!,
      category: `単元 ${unitNo + 1}`,
      sectionNumber: `(${i % 10})`,
      order: i,
      group: u,
      unit: u,
      progress: progressOf(states[i % 3]!, i % 7 === 0),
    });
    if (i >= 60) edges.push({ id: `p${i}`, type: 'precedes', source: `n${i - 60}`, target: `n${i}` });
    if (i % 5 === 0 && i >= 12) edges.push({ id: `r${i}`, type: 'isRelatedTo', source: `n${i - 12}`, target: `n${i}` });
  }
  const map: LearningMap = {
    crossLinks: [],
    framework: { identifier: 'synthetic', title: `Synthetic framework (${size} items)` },
    learner: { id: 'learner-1', displayName: '児童 01' },
    asOf: '2025-07-20',
    view: 'curriculum',
    labels: LABELS,
    labelBasis: 'correctRate',
    nodes,
    edges,
    groups,
    unitEdges: [],
  };
  summarise(map);
  return map;
}

/**
 * Makes `page` see `current()` as GET /api/progress/map, `user` (an administrator) as the viewer, and no next steps or
 * changes: the map alone in the browser, for the browser test and the map bench.
 */
export async function serveMapOnly(page: Page, user: { username: string; displayName: string }, current: () => LearningMap): Promise<void> {
  const me: Me = { user: { id: 'u1', username: user.username, displayName: user.displayName, roles: [{ role: 'admin' }] }, csrfToken: 'x', learnerId: null, classes: [] };
  await page.route('**/api/me', (r) => r.fulfill({ json: me }));
  await page.route('**/api/progress/map?**', (r) => r.fulfill({ json: current() }));
  await page.route('**/api/progress/learners/*/next-steps?**', (r) => r.fulfill({ json: { items: [] } }));
  await page.route('**/api/progress/learners/*/changes?**', (r) => r.fulfill({ json: { from: '2025-04-01', to: '2025-07-20', summary: { mastered: 0, started: 0, regressed: 0 }, changes: [] } }));
}
