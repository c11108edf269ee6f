import { parse } from 'csv-parse/sync';
import { ShirubeError } from '../errors.js';
import { relationKey, relationTypes, type Proposal, type RelationFramework, type RelationItem, type RelationType } from './model.js';

/** A ground-truth relation, its ends named by code (humanCodingScheme) or identifier (UUID). */
export interface TruthRow {
  origin: string;
  destination: string;
  type: RelationType;
}

const invalid = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

/**
 * Reads a ground-truth file: CSV with a header `origin,destination,type` (type precedes or isRelatedTo), or JSON
 * `[{origin, destination, type}]`.
 */
export function parseGroundTruth(text: string): TruthRow[] {
  const t = text.replace(/^\uFEFF/, '').trim();
  let rows: Array<Record<string, unknown>>;
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as unknown;
      rows = (Array.isArray(v) ? v : (v as { relations?: unknown }).relations) as Array<Record<string, unknown>>;
    } catch (e) {
      throw invalid('groundTruth', `not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(rows)) throw invalid('groundTruth', 'JSON must be an array of {origin, destination, type}');
  } else {
    try {
      rows = parse(t, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, unknown>>;
    } catch (e) {
      throw invalid('groundTruth', `not valid CSV (${(e as Error).message})`);
    }
  }
  return rows.map((r, i) => {
    const origin = r['origin'];
    const destination = r['destination'];
    const type = r['type'];
    if (typeof origin !== 'string' || !origin) throw invalid(`groundTruth[${i}].origin`, 'is required');
    if (typeof destination !== 'string' || !destination) throw invalid(`groundTruth[${i}].destination`, 'is required');
    if (!(relationTypes as readonly unknown[]).includes(type)) throw invalid(`groundTruth[${i}].type`, `must be ${relationTypes.join(' or ')}`);
    return { origin, destination, type: type as RelationType };
  });
}

export interface Score {
  estimator: string;
  type: RelationType;
  domain: string;
  truth: number;
  predicted: number;
  tp: number;
  precision: number;
  recall: number;
  f1: number;
}

/** How many truth relations of a type and domain there are, lie inside the candidate space, and each estimator found. */
export interface Coverage {
  type: RelationType;
  domain: string;
  truth: number;
  /** Inside the candidate space (isRelatedTo in either order): the recall ceiling of estimators that keep to it. */
  inSpace: number;
  found: Record<string, number>;
}

/** Kinds of truth pairs, by where the two ends lie (several axes: a pair is of one kind per axis). */
export const pairKinds = ['same grade', 'next grade', 'further grade', 'same domain', 'cross-domain', 'within category', 'outside the candidate space'] as const;
export type PairKind = (typeof pairKinds)[number];

/** Truth relations of a type by kind, and how many of them each estimator missed. */
export interface Missed {
  type: RelationType;
  kind: PairKind;
  truth: number;
  missed: Record<string, number>;
}

export interface Evaluation {
  /** Ground-truth relations between the framework's estimation items (others cannot be predicted). */
  truthInScope: number;
  truthOutOfScope: number;
  /** With a candidate space: the in-scope relations inside it (isRelatedTo in either order), per type — the recall ceiling of estimators that keep to it. */
  truthInSpace?: Record<RelationType, number> | undefined;
  /** With a candidate space: per type, overall ('(all)') and per domain. */
  coverage?: Coverage[] | undefined;
  /** Per type and kind of pair: truth relations and those each estimator did not find. */
  missed: Missed[];
  /** With `judged`: how many items it names in the framework, and the truth relations and predictions (per estimator) left unscored. */
  judged?: { items: number; notEstimated: number; truthLeftOut: number; predictionsLeftOut: Record<string, number> } | undefined;
  scores: Score[];
}

export interface EvaluateOptions {
  /** precedes predictions are also right when the truth implies them (A→B→C makes A→C right); recall stays on direct edges. */
  closure?: boolean | undefined;
  /** The candidate space the estimators searched (ordered pairs `origin\tdestination`): reports how much of the truth lies in it. */
  space?: { pairs: ReadonlySet<string> } | undefined;
  /**
   * Items (codes or identifiers) whose relations the ground truth lists completely: only relations with an end among
   * them are scored, so that a prediction the truth says nothing about is not counted wrong. References that are not
   * estimation items are counted (notEstimated).
   */
  judged?: Iterable<string> | undefined;
}

const ALL = '(all)';

function closureOf(edges: Array<[string, string]>): Set<string> {
  const next = new Map<string, string[]>();
  for (const [a, b] of edges) next.set(a, [...(next.get(a) ?? []), b]);
  const out = new Set<string>();
  for (const start of next.keys()) {
    const stack = [...next.get(start)!];
    const seen = new Set<string>();
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      out.add(relationKey('precedes', start, x));
      stack.push(...(next.get(x) ?? []));
    }
  }
  return out;
}

/**
 * Precision, recall and F per relation type × domain × estimator. precedes is compared with direction,
 * isRelatedTo without. A relation's domain is its destination's (isRelatedTo: the earlier item's).
 */
export function evaluate(fw: RelationFramework, truth: TruthRow[], predictions: Map<string, Proposal[]>, opts: EvaluateOptions = {}): Evaluation {
  const byRef = new Map<string, RelationItem>();
  for (const i of fw.items) {
    byRef.set(i.identifier, i);
    if (i.code && !byRef.has(i.code)) byRef.set(i.code, i);
  }
  const byId = new Map(fw.items.map((i) => [i.identifier, i]));
  const truthKeys = new Map<string, RelationItem>();
  const precedesEdges: Array<[string, string]> = [];
  const truthPairs: Array<[RelationType, string, string]> = [];
  let outOfScope = 0;
  let judged: Set<string> | undefined;
  let notEstimated = 0;
  if (opts.judged) {
    judged = new Set();
    for (const ref of opts.judged) {
      const item = byRef.get(ref);
      // An item of another type (a content item when categories are related) cannot be predicted anyway.
      if (item) judged.add(item.identifier);
      else notEstimated++;
    }
  }
  const isJudged = (a: string, b: string) => !judged || judged.has(a) || judged.has(b);
  const truthLeftOut = new Set<string>();
  const predictionsLeftOut: Record<string, number> = {};
  const domainOf = (type: RelationType, a: RelationItem, b: RelationItem) => (type === 'precedes' ? b : a.order <= b.order ? a : b).domainLabel || '(none)';
  for (const r of truth) {
    const a = byRef.get(r.origin);
    const b = byRef.get(r.destination);
    if (!a || !b || a === b || a.ancestors.has(b.identifier) || b.ancestors.has(a.identifier)) {
      outOfScope++;
      continue;
    }
    const key = relationKey(r.type, a.identifier, b.identifier);
    if (truthKeys.has(key)) continue;
    if (!isJudged(a.identifier, b.identifier)) {
      truthLeftOut.add(key);
      continue;
    }
    truthKeys.set(key, byId.get(r.type === 'precedes' ? b.identifier : a.order <= b.order ? a.identifier : b.identifier)!);
    truthPairs.push([r.type, a.identifier, b.identifier]);
    if (r.type === 'precedes') precedesEdges.push([a.identifier, b.identifier]);
  }
  const implied = opts.closure ? closureOf(precedesEdges) : undefined;
  const domains = [...new Set(fw.items.map((i) => i.domainLabel || '(none)'))];
  const scores: Score[] = [];
  for (const [estimator, proposals] of predictions) {
    const predicted = new Map<string, string>();
    predictionsLeftOut[estimator] = 0;
    for (const p of proposals) {
      const a = byId.get(p.origin);
      const b = byId.get(p.destination);
      if (a && b && !isJudged(a.identifier, b.identifier)) predictionsLeftOut[estimator]++;
      else if (a && b) predicted.set(relationKey(p.type, a.identifier, b.identifier), domainOf(p.type, a, b));
    }
    for (const type of relationTypes) {
      for (const domain of [ALL, ...domains]) {
        const inDomain = (d: string) => domain === ALL || d === domain;
        const t = [...truthKeys].filter(([k, item]) => k.startsWith(`${type}:`) && inDomain(domainOf(type, item, item)));
        const pr = [...predicted].filter(([k, d]) => k.startsWith(`${type}:`) && inDomain(d));
        if (domain !== ALL && !t.length && !pr.length) continue;
        const tp = t.filter(([k]) => predicted.has(k)).length;
        const right = pr.filter(([k]) => truthKeys.has(k) || implied?.has(k)).length;
        const precision = pr.length ? right / pr.length : 0;
        const recall = t.length ? tp / t.length : 0;
        const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
        scores.push({ estimator, type, domain, truth: t.length, predicted: pr.length, tp, precision, recall, f1 });
      }
    }
  }
  let truthInSpace: Record<RelationType, number> | undefined;
  const space = opts.space;
  const inSpace = (type: RelationType, o: string, d: string) => !space || space.pairs.has(`${o}\t${d}`) || (type === 'isRelatedTo' && space.pairs.has(`${d}\t${o}`));
  if (space) {
    truthInSpace = { precedes: 0, isRelatedTo: 0 };
    for (const [type, o, d] of truthPairs) if (inSpace(type, o, d)) truthInSpace[type]++;
  }
  const found = new Map([...predictions].map(([name, ps]) => [name, new Set(ps.map((p) => relationKey(p.type, p.origin, p.destination)))]));
  const estimators = [...predictions.keys()];
  const zero = () => Object.fromEntries(estimators.map((e) => [e, 0]));
  const coverage = new Map<string, Coverage>();
  const missed = new Map<string, Missed>();
  for (const [type, o, d] of truthPairs) {
    const [a, b] = [byId.get(o)!, byId.get(d)!];
    const key = relationKey(type, o, d);
    const inside = inSpace(type, o, d);
    for (const domain of [ALL, domainOf(type, a, b)]) {
      const c = coverage.get(`${type}\t${domain}`) ?? { type, domain, truth: 0, inSpace: 0, found: zero() };
      coverage.set(`${type}\t${domain}`, c);
      c.truth++;
      if (inside) c.inSpace++;
      for (const e of estimators) if (found.get(e)!.has(key)) c.found[e]!++;
    }
    const gap = Math.abs((b.grade ?? 0) - (a.grade ?? 0));
    const kinds: PairKind[] = [gap === 0 ? 'same grade' : gap === 1 ? 'next grade' : 'further grade', a.domain === b.domain ? 'same domain' : 'cross-domain'];
    if (a.category && a.category === b.category) kinds.push('within category');
    if (!inside) kinds.push('outside the candidate space');
    for (const kind of kinds) {
      const m = missed.get(`${type}\t${kind}`) ?? { type, kind, truth: 0, missed: zero() };
      missed.set(`${type}\t${kind}`, m);
      m.truth++;
      for (const e of estimators) if (!found.get(e)!.has(key)) m.missed[e]!++;
    }
  }
  const byKind = (x: Missed, y: Missed) => relationTypes.indexOf(x.type) - relationTypes.indexOf(y.type) || pairKinds.indexOf(x.kind) - pairKinds.indexOf(y.kind);
  const byDomain = (x: Coverage, y: Coverage) => relationTypes.indexOf(x.type) - relationTypes.indexOf(y.type) || Number(y.domain === ALL) - Number(x.domain === ALL) || y.truth - x.truth || x.domain.localeCompare(y.domain);
  return { truthInScope: truthKeys.size, truthOutOfScope: outOfScope, ...(truthInSpace ? { truthInSpace, coverage: [...coverage.values()].sort(byDomain) } : {}),
    missed: [...missed.values()].sort(byKind),
    ...(judged ? { judged: { items: judged.size, notEstimated, truthLeftOut: truthLeftOut.size, predictionsLeftOut } } : {}), scores };
}
