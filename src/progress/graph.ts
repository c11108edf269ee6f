import type { ProficiencyState } from './rules.js';

/** A precedes association: `source` is learned before `target`. */
export interface PrecedesEdge {
  id: string;
  source: string;
  target: string;
}

/** What the graph algorithms need to know about a learner on an item. */
export interface ItemStanding {
  state: ProficiencyState;
  probability: number;
  /** Grade for ordering ("1"…"6"; null sorts last). */
  grade: string | null;
  /** Course of Study code or another stable key, the last tie-breaker. */
  code: string;
}

/** The precedes graph of a framework, indexed both ways. */
export class PrecedesGraph {
  readonly prerequisites = new Map<string, PrecedesEdge[]>();
  readonly successors = new Map<string, PrecedesEdge[]>();

  constructor(edges: PrecedesEdge[]) {
    for (const e of edges) {
      if (e.source === e.target) continue;
      (this.prerequisites.get(e.target) ?? this.prerequisites.set(e.target, []).get(e.target)!).push(e);
      (this.successors.get(e.source) ?? this.successors.set(e.source, []).get(e.source)!).push(e);
    }
  }

  prerequisitesOf(id: string): PrecedesEdge[] {
    return this.prerequisites.get(id) ?? [];
  }

  /** Not mastered, and some direct prerequisite not mastered (`known`: not mastered but taken as learned, e.g. no record of an earlier grade). */
  isBlocked(id: string, mastered: (id: string) => boolean, known: (id: string) => boolean = mastered): boolean {
    return !mastered(id) && this.prerequisitesOf(id).some((e) => !known(e.source));
  }
}

const gradeRank = (g: string | null) => (g === null || Number.isNaN(Number(g)) ? Number.MAX_SAFE_INTEGER : Number(g));

/**
 * "No record" (記録なし): an item of a grade below the learner's with no answer. Not the same as 未学習 (not yet
 * learned): it was taught in an earlier year, before Shirube had the learner's records, so it counts as learned
 * for what comes after it (next steps, blocked) and shows as no record on the map.
 */
export function isNoRecord(itemGrade: string | null, learnerGrade: string | null | undefined, attempts: number): boolean {
  if (attempts > 0 || learnerGrade == null || itemGrade === null || Number.isNaN(Number(learnerGrade))) return false;
  return gradeRank(itemGrade) < Number(learnerGrade);
}
/** Lower grade first, then code. */
export const byGradeThenCode = (a: ItemStanding, b: ItemStanding) => gradeRank(a.grade) - gradeRank(b.grade) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

export interface TraceBackEntry {
  itemId: string;
  hops: number;
  score: number;
  /** From this prerequisite to the item traced back from. */
  path: string[];
  pathEdges: PrecedesEdge[];
}

export interface TraceBackOptions {
  maxHops?: number;
  /** A mastered prerequisite with a probability below this is still weak. */
  weakProbability?: number;
}

/**
 * The unmastered or weak prerequisites reachable backwards along precedes from `target`, ranked by
 * (1 − probability) × 1/hops (hops = shortest distance), ties by lower grade then code. Breadth-first, so each
 * path is a shortest chain; among equally short chains the one through the lower grade/code is taken.
 */
export function traceBack(g: PrecedesGraph, target: string, standing: (id: string) => ItemStanding, o: TraceBackOptions = {}): TraceBackEntry[] {
  const maxHops = o.maxHops ?? 6;
  const weak = o.weakProbability ?? 0.6;
  // For each reached item, the edge towards the target it was first reached through.
  const via = new Map<string, PrecedesEdge | null>([[target, null]]);
  const hops = new Map<string, number>([[target, 0]]);
  let frontier = [target];
  for (let h = 1; h <= maxHops && frontier.length; h++) {
    const next: string[] = [];
    for (const id of frontier) {
      // A strongly mastered prerequisite is evidence that what it builds on is known: the walk stops there.
      const s = id === target ? undefined : standing(id);
      if (s && s.state === 'mastered' && s.probability >= weak) continue;
      const edges = [...g.prerequisitesOf(id)].sort((a, b) => byGradeThenCode(standing(a.source), standing(b.source)));
      for (const e of edges) {
        if (via.has(e.source)) continue;
        via.set(e.source, e);
        hops.set(e.source, h);
        next.push(e.source);
      }
    }
    frontier = next;
  }
  const out: TraceBackEntry[] = [];
  for (const [id, h] of hops) {
    if (h === 0) continue;
    const s = standing(id);
    if (s.state === 'mastered' && s.probability >= weak) continue;
    const path = [id];
    const pathEdges: PrecedesEdge[] = [];
    for (let e = via.get(id); e; e = via.get(e.target)) {
      pathEdges.push(e);
      path.push(e.target);
    }
    out.push({ itemId: id, hops: h, score: (1 - s.probability) / h, path, pathEdges });
  }
  return out.sort((a, b) => b.score - a.score || byGradeThenCode(standing(a.itemId), standing(b.itemId)));
}

export interface NextStepOptions {
  /** The learner's grade (their class's): later grades are never proposed, earlier ones only as gaps (below). */
  learnerGrade?: string | null | undefined;
}

/**
 * The next items to learn: not mastered, every prerequisite mastered. With the learner's grade: no item of a later
 * grade; an item of an earlier grade only when the learner has answered it without mastering it (a gap their own
 * answers show); and an earlier-grade prerequisite with no record counts as learned in an earlier year. Items in
 * progress first, then by grade and the given order (`items` is in Course of Study order).
 */
export function nextSteps(g: PrecedesGraph, items: string[], standing: (id: string) => ItemStanding, o: NextStepOptions = {}): string[] {
  const mastered = (id: string) => standing(id).state === 'mastered';
  const grade = o.learnerGrade == null || Number.isNaN(Number(o.learnerGrade)) ? undefined : Number(o.learnerGrade);
  const later = (id: string) => grade !== undefined && standing(id).grade !== null && gradeRank(standing(id).grade) > grade;
  const noRecord = (id: string) => standing(id).state === 'not_started' && isNoRecord(standing(id).grade, o.learnerGrade, 0);
  const known = (id: string) => mastered(id) || noRecord(id);
  const order = new Map(items.map((id, i) => [id, i]));
  return items
    .filter((id) => !mastered(id) && !later(id) && !noRecord(id))
    .filter((id) => g.prerequisitesOf(id).every((e) => known(e.source)))
    .sort((a, b) => {
      const pa = standing(a).state === 'in_progress' ? 0 : 1;
      const pb = standing(b).state === 'in_progress' ? 0 : 1;
      return pa - pb || gradeRank(standing(a).grade) - gradeRank(standing(b).grade) || order.get(a)! - order.get(b)!;
    });
}
