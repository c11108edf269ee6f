import type { ElementDefinition } from 'cytoscape';
import type { ClassShare, EdgeType, LearnerItemDetail, LearningMap, MapGroup, MapNode, MapView, ProficiencyState, Progress } from '../../../types/progress-api.js';
import type { LayoutNode } from './layout.js';
import type { BadgeMark } from '../../../types/badges.js';
import { plainText } from '../../../lib/rich-text.js';

/**
 * The learning map's data (GET /api/progress/map) → cytoscape elements and the layered layout's input. Pure: the
 * component (components/learning-map.tsx) only adds positions and draws.
 *
 * Curriculum view: one node per content item; the hierarchy above (grade → domain → category) as nested boxes
 * behind them, which is how isChildOf is drawn (`data.rect` names the layout rectangle each box takes). Unit view: one node per unit (the (1),(2)… categories) with the share mastered,
 * and the unit prerequisite edges. Every node's label carries its state in words (and the A/B/C label), so
 * colour is never the only signal. Nodes are `pannable`: a drag anywhere on the map moves it, a click selects.
 */
export interface StateText {
  not_started: string;
  in_progress: string;
  mastered: string;
  blocked: string;
  /** 記録なし: an earlier grade's item without answers. */
  no_record: string;
  /** A class map's node: "習得 12/35 人 (34%)", and how many have no record ("記録なし 20 人"), when any. */
  classShare: (mastered: number, learners: number, percent: number) => string;
  classNoRecord: (n: number) => string;
  /** "{mastered}/{total}" for units. */
  unitCount: (mastered: number, total: number) => string;
  grade: (grade: string) => string;
  /** The words a badge-marked item carries in its label ("バッジ候補", "バッジ取得"). */
  badge?: Record<BadgeMark, string>;
}

export interface MapOptions {
  view: MapView;
  /** Which associations to draw; isChildOf = the hierarchy boxes. */
  edgeTypes: ReadonlySet<EdgeType>;
  text: StateText;
  /** Badge marks of the learner's items, by item id. */
  badges?: ReadonlyMap<string, BadgeMark> | undefined;
}

export interface MapElements {
  elements: ElementDefinition[];
  layout: LayoutNode[];
}

/** Node data the map styles read (data(state), data(label)…). */
export interface NodeState {
  /** `share`: a class map's node, coloured by `share`. */
  state: ProficiencyState | 'none' | 'no_record' | 'share';
  /** A class map: the share of its learners who mastered the item, in fifths (0: under 20 %, … 4: 80 % or more); else -1. */
  share: number;
  blocked: boolean;
  label: string;
  /** '' when the item has no badge mark. */
  badge: BadgeMark | '';
}

/** Columns and rows of a line of Japanese: a full-width character takes 1, a half-width one ½. */
const width = (ch: string) => (/[\u0000-\u00ff\uff61-\uff9f]/.test(ch) ? 0.5 : 1);

/** Breaks `text` into at most `maxLines` lines of `perLine` full-width characters, the last one ending in "…". */
export function wrapText(text: string, perLine: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (used + width(ch) > perLine) {
      lines.push(line);
      if (lines.length === maxLines) {
        lines[maxLines - 1] = [...lines[maxLines - 1]!].slice(0, -1).join('') + '…';
        return lines;
      }
      line = '';
      used = 0;
    }
    line += ch;
    used += width(ch);
  }
  if (line) lines.push(line);
  return lines;
}

const PER_LINE = 13;

/** Grades "1"…"12" sort as numbers; no grade comes first. */
const layerOf = (grade: string | null | undefined) => {
  const n = Number.parseInt(grade ?? '', 10);
  return Number.isFinite(n) ? n : 0;
};

/**
 * Domains in rows: the codes A, B, C, D in that order, then domains without a code by name. A framework without
 * Course of Study domains (Smarter Balanced) gets a row per title of the group above the items' group, so two such
 * groups never share a cell and their titles never overlap.
 */
function laneIndex(map: LearningMap): (node: MapNode) => number {
  const groups = new Map(map.groups.map((g) => [g.id, g]));
  const above = (n: MapNode) => groups.get(groups.get(n.group ?? '')?.parent ?? '')?.label;
  const keyOf = (n: MapNode) => n.domainCode || n.domain || above(n) || '';
  const nodes = map.nodes;
  const keys = [...new Set(nodes.map(keyOf))].sort((a, b) => a.localeCompare(b, 'ja'));
  const index = new Map(keys.map((k, i) => [k, i]));
  return (n) => index.get(keyOf(n))!;
}

/** The fifth of a class that mastered (0…4), from a share in [0, 1]. */
export const shareBin = (share: number) => Math.min(4, Math.floor(share * 5));
const shareOf = (c: ClassShare) => (c.learners ? c.mastered / c.learners : 0);
const shareLine = (c: ClassShare, text: StateText) => [text.classShare(c.mastered, c.learners, Math.round(shareOf(c) * 100)), ...(c.noRecord ? [text.classNoRecord(c.noRecord)] : [])].join(' · ');

export function itemState(progress: Progress | null, text: StateText, classShare?: ClassShare): Omit<NodeState, 'label' | 'badge'> & { stateLine: string } {
  if (classShare) {
    const share = shareOf(classShare);
    return { state: 'share', share: shareBin(share), blocked: false, stateLine: shareLine(classShare, text) };
  }
  if (!progress) return { state: 'none', share: -1, blocked: false, stateLine: '' };
  if (progress.noRecord) return { state: 'no_record', share: -1, blocked: progress.blocked, stateLine: [text.no_record, ...(progress.blocked ? [`· ${text.blocked}`] : [])].join(' ') };
  const words = [text[progress.state]];
  if (progress.label) words.push(progress.label);
  if (progress.blocked) words.push(`· ${text.blocked}`);
  return { state: progress.state, share: -1, blocked: progress.blocked, stateLine: words.join(' ') };
}

/** The data of one item node: its first words, then its state (a class map: the share that mastered it) and badge mark in words. */
export function itemNodeState(node: MapNode, text: StateText, badge?: BadgeMark): NodeState {
  const { state, share, blocked, stateLine: progressLine } = itemState(node.progress, text, node.classShare);
  const badgeWord = badge && text.badge ? `◆ ${text.badge[badge]}` : '';
  const stateLine = [progressLine, badgeWord].filter(Boolean).join(' ');
  const head = node.sectionNumber ? `${node.sectionNumber} ` : '';
  const lines = wrapText(head + plainText(node.fullStatement), PER_LINE, stateLine ? 2 : 3);
  return { state, share, blocked, label: [...lines, ...(stateLine ? [stateLine] : [])].join('\n'), badge: badge ?? '' };
}

/**
 * A unit's state: mastered when all its items are, not started when none is started (no record when every item is
 * an earlier grade's without answers); a class map's unit: the share of its learner × item pairs mastered.
 */
export function unitNodeState(group: MapGroup, hasLearner: boolean, text: StateText): NodeState {
  const s = group.summary;
  const title = wrapText(group.label, PER_LINE, 2);
  if (group.classShare) {
    return { state: 'share', share: shareBin(shareOf(group.classShare)), blocked: false, label: [...title, shareLine(group.classShare, text)].join('\n'), badge: '' };
  }
  if (!hasLearner) return { state: 'none', share: -1, blocked: false, label: title.join('\n'), badge: '' };
  const state: ProficiencyState | 'no_record' =
    s.total > 0 && s.mastered === s.total ? 'mastered' : s.mastered + s.inProgress > 0 ? 'in_progress' : s.total > 0 && s.noRecord === s.total ? 'no_record' : 'not_started';
  return { state, share: -1, blocked: false, label: [...title, `${text[state]} ${text.unitCount(s.mastered, s.total)}`].join('\n'), badge: '' };
}

const groupKind = (g: MapGroup) => `group ${g.kind}`;

function curriculumElements(map: LearningMap, o: MapOptions): MapElements {
  const elements: ElementDefinition[] = [];
  const lane = laneIndex(map);
  const layout: LayoutNode[] = [];
  const present = new Set<string>();
  const items: ElementDefinition[] = [];
  // Where each group is drawn: a unit's own box, a domain's cell (its grade's column, its row), a grade's column.
  const rectOf = new Map<string, string>();
  const parentOf = new Map(map.groups.map((g) => [g.id, g.parent]));
  for (const n of map.nodes) {
    present.add(n.id);
    items.push({ group: 'nodes', data: { id: n.id, code: n.code ?? '', kind: 'item', ...itemNodeState(n, o.text, o.badges?.get(n.id)) }, classes: 'item', pannable: true });
    layout.push({ id: n.id, layer: layerOf(n.grade), lane: lane(n), box: n.group ?? undefined, order: n.order });
    if (!n.group) continue;
    rectOf.set(n.group, `box:${n.group}`);
    const domain = parentOf.get(n.group);
    if (domain && !rectOf.has(domain)) rectOf.set(domain, `cell:${layerOf(n.grade)}|${lane(n)}`);
    const grade = domain && parentOf.get(domain);
    if (grade && !rectOf.has(grade)) rectOf.set(grade, `layer:${layerOf(n.grade)}`);
  }
  if (o.edgeTypes.has('isChildOf')) {
    for (const g of map.groups) {
      const rect = rectOf.get(g.id);
      if (!rect) continue;
      const label = g.kind === 'domain' && g.grade ? `${o.text.grade(g.grade)} ${g.label}` : g.label;
      elements.push({ group: 'nodes', data: { id: g.id, label, kind: g.kind, rect }, classes: groupKind(g), selectable: false });
    }
  }
  elements.push(...items);
  for (const e of map.edges) {
    if (e.type === 'isChildOf' || !o.edgeTypes.has(e.type) || !present.has(e.source) || !present.has(e.target)) continue;
    elements.push({ group: 'edges', data: { id: `e:${e.id}`, source: e.source, target: e.target, type: e.type }, classes: e.type });
  }
  return { elements, layout };
}

function unitElements(map: LearningMap, o: MapOptions): MapElements {
  const elements: ElementDefinition[] = [];
  const units = map.groups.filter((g) => g.kind === 'unit' || g.kind === 'category');
  const firstNode = new Map<string, MapNode>();
  for (const n of map.nodes) if (n.group && !firstNode.has(n.group)) firstNode.set(n.group, n);
  const lane = laneIndex(map);
  const layout: LayoutNode[] = [];
  const gradeOf = (u: MapGroup) => u.grade ?? firstNode.get(u.id)?.grade ?? null;
  if (o.edgeTypes.has('isChildOf')) {
    const grades = [...new Set(units.map(gradeOf).filter((g): g is string => !!g))];
    for (const g of grades) elements.push({ group: 'nodes', data: { id: `grade:${g}`, label: o.text.grade(g), kind: 'grade', rect: `layer:${layerOf(g)}` }, classes: 'group grade', selectable: false });
  }
  for (const u of units) {
    const first = firstNode.get(u.id);
    elements.push({ group: 'nodes', data: { id: u.id, code: u.code ?? '', kind: 'unit', ...unitNodeState(u, map.learner !== null, o.text) }, classes: 'item unit', pannable: true });
    layout.push({ id: u.id, layer: layerOf(gradeOf(u)), lane: first ? lane(first) : 0, order: u.order });
  }
  const present = new Set(units.map((u) => u.id));
  if (o.edgeTypes.has('precedes')) {
    for (const e of map.unitEdges) {
      if (e.source === e.target || !present.has(e.source) || !present.has(e.target)) continue;
      elements.push({ group: 'edges', data: { id: `u:${e.source}>${e.target}`, source: e.source, target: e.target, type: 'precedes', count: e.count }, classes: 'precedes' });
    }
  }
  return { elements, layout };
}

export function toElements(map: LearningMap, options: MapOptions): MapElements {
  return options.view === 'unit' ? unitElements(map, options) : curriculumElements(map, options);
}

/**
 * The new state of every node for a map of another date (the date slider): same nodes, other progress. Only the
 * data changes, so the map keeps its layout.
 */
export function nodeStates(map: LearningMap, options: MapOptions): Map<string, NodeState> {
  const out = new Map<string, NodeState>();
  if (options.view === 'unit') {
    for (const g of map.groups) if (g.kind === 'unit' || g.kind === 'category') out.set(g.id, unitNodeState(g, map.learner !== null, options.text));
  } else {
    for (const n of map.nodes) out.set(n.id, itemNodeState(n, options.text, options.badges?.get(n.id)));
  }
  return out;
}

/** What to highlight for an item's trace-back: the item, every prerequisite on a path, and the precedes edges between them. */
export function traceHighlight(detail: Pick<LearnerItemDetail, 'item' | 'traceBack' | 'pathEdges'>): { nodes: Set<string>; edges: Set<string> } {
  const nodes = new Set<string>([detail.item.id]);
  for (const t of detail.traceBack) for (const id of t.path) nodes.add(id);
  const edges = new Set<string>();
  for (const e of detail.pathEdges) {
    if (nodes.has(e.source) && nodes.has(e.target)) edges.add(`e:${e.id}`);
  }
  return { nodes, edges };
}

/** Node ids whose code or text contains the query (case-insensitive); empty for a blank query. */
export function searchNodes(map: LearningMap, view: MapView, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  if (view === 'unit') return map.groups.filter((g) => (g.kind === 'unit' || g.kind === 'category') && `${g.code ?? ''} ${g.label}`.toLowerCase().includes(q)).map((g) => g.id);
  return map.nodes.filter((n) => `${n.code ?? ''} ${n.sectionNumber ?? ''} ${n.fullStatement} ${n.category ?? ''}`.toLowerCase().includes(q)).map((n) => n.id);
}
