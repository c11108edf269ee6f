import type { CandidateSpace } from './candidates.js';
import { precedesFeatures, relatedFeatures, pairFeatures, type PairFeatures, type PairRow } from './features.js';
import { relationKey, type Proposal, type RelationFramework, type RelationItem, type RelationType } from './model.js';
import type { TruthRow } from './evaluate.js';

/**
 * The offline estimator's model: two logistic regressions over the pair features (features.ts), one for precedes
 * and one for isRelatedTo, each with the smallest probability kept; then each item keeps its strongest proposals
 * (at most `perDestination` prerequisites and `perOrigin` successors, `relatedPerItem` related partners) and the
 * precedes kept are reduced transitively (A→C goes when A→B→C is kept). Fitted on ground truth (fitWeights); the
 * shipped weights are in weights.ts, made by scripts/fit-relations.ts.
 */
export interface OfflineWeights {
  precedes: { features: readonly string[]; weights: number[]; threshold: number; perDestination: number; perOrigin: number };
  related: { features: readonly string[]; weights: number[]; threshold: number; perItem: number };
  /** What the weights were fitted on: data sets, their framework and truth relations. */
  fittedOn: Array<{ name: string; framework: string; precedes: number; isRelatedTo: number }>;
}

/** Selection limits: what a reviewer can take in per item. */
export const LIMITS = { perDestination: 2, perOrigin: 2, relatedPerItem: 1 } as const;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const dot = (w: readonly number[], x: readonly number[]) => x.reduce((s, v, i) => s + v * w[i]!, 0);

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** L2-regularised logistic regression (Newton's method); `s` weighs each row, the bias (feature 0) is not penalised. */
export function logistic(rows: ReadonlyArray<{ x: readonly number[]; y: number; s: number }>, lambda = 1): number[] {
  const d = rows[0]?.x.length ?? 0;
  let w = new Array<number>(d).fill(0);
  // Most features are 0 for most pairs (indicators): the Hessian sums over the others only.
  const nonZero = rows.map((r) => r.x.flatMap((v, i) => (v === 0 ? [] : [i])));
  for (let iter = 0; iter < 30; iter++) {
    const g = w.map((v, i) => (i === 0 ? 0 : lambda * v));
    const h = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j && i > 0 ? lambda : 0)));
    for (const [n, r] of rows.entries()) {
      const p = sigmoid(dot(w, r.x));
      const e = r.s * (p - r.y);
      const v = r.s * Math.max(p * (1 - p), 1e-9);
      const nz = nonZero[n]!;
      for (let a = 0; a < nz.length; a++) {
        const i = nz[a]!;
        const xi = r.x[i]!;
        g[i]! += e * xi;
        for (let b = a; b < nz.length; b++) h[i]![nz[b]!]! += v * xi * r.x[nz[b]!]!;
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) h[i]![j] = h[j]![i]!;
    const step = solve(h, g);
    w = w.map((v, i) => v - step[i]!);
    if (Math.max(...step.map(Math.abs)) < 1e-6) break;
  }
  return w;
}

/** A candidate pair with its probability and the smallest probability its model keeps. */
interface Scored {
  row: PairRow;
  p: number;
  min: number;
}

/**
 * The proposals kept from scored pairs: precedes by probability, at most perDestination per destination and perOrigin
 * per origin, then transitively reduced; isRelatedTo for pairs not kept as precedes, at most relatedPerItem per item.
 */
export function select(precedes: Scored[], related: Scored[], limits: { perDestination: number; perOrigin: number; relatedPerItem: number }): Proposal[] {
  const into = new Map<string, number>();
  const from = new Map<string, number>();
  const kept: Scored[] = [];
  for (const s of precedes.filter((s) => s.p >= s.min).sort((a, b) => b.p - a.p)) {
    const { origin: o, destination: d } = s.row;
    if ((into.get(d) ?? 0) >= limits.perDestination || (from.get(o) ?? 0) >= limits.perOrigin) continue;
    into.set(d, (into.get(d) ?? 0) + 1);
    from.set(o, (from.get(o) ?? 0) + 1);
    kept.push(s);
  }
  const reduced = transitiveReduction(kept);
  const pairs = new Set(reduced.flatMap((s) => [`${s.row.origin}\t${s.row.destination}`, `${s.row.destination}\t${s.row.origin}`]));
  const partners = new Map<string, number>();
  const relatedKept: Scored[] = [];
  for (const s of related.filter((s) => s.p >= s.min).sort((a, b) => b.p - a.p)) {
    const { origin: a, destination: b } = s.row;
    if (pairs.has(`${a}\t${b}`) || (partners.get(a) ?? 0) >= limits.relatedPerItem || (partners.get(b) ?? 0) >= limits.relatedPerItem) continue;
    partners.set(a, (partners.get(a) ?? 0) + 1);
    partners.set(b, (partners.get(b) ?? 0) + 1);
    relatedKept.push(s);
  }
  const proposal = (type: RelationType) => (s: Scored): Proposal => ({ origin: s.row.origin, destination: s.row.destination, type, confidence: s.p });
  return [...reduced.map(proposal('precedes')), ...relatedKept.map(proposal('isRelatedTo'))];
}

/** Drops each kept A→C that another path of kept precedes (A→B→…→C) implies. */
function transitiveReduction(edges: Scored[]): Scored[] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.row.origin, [...(next.get(e.row.origin) ?? []), e.row.destination]);
  const reachableAvoiding = (start: string, target: string) => {
    const stack = (next.get(start) ?? []).filter((x) => x !== target);
    const seen = new Set(stack);
    while (stack.length) {
      const x = stack.pop()!;
      if (x === target) return true;
      for (const y of next.get(x) ?? []) if (!seen.has(y)) (seen.add(y), stack.push(y));
    }
    return false;
  };
  return edges.filter((e) => !reachableAvoiding(e.row.origin, e.row.destination));
}

/** The identifier of the item a truth row names (by code or identifier), resolving codes as evaluate does. */
export function itemResolver(fw: RelationFramework): (ref: string) => RelationItem | undefined {
  const byRef = new Map<string, RelationItem>();
  for (const i of fw.items) {
    byRef.set(i.identifier, i);
    if (i.code && !byRef.has(i.code)) byRef.set(i.code, i);
  }
  return (ref) => byRef.get(ref);
}

/** One framework's candidate pairs with features and truth labels, as fitting reads them. */
export interface TrainingSet {
  name: string;
  framework: string;
  features: PairFeatures;
  /** Truth keys (relationKey) between estimation items, the recall denominator. */
  truth: Set<string>;
  /** Domain of each truth relation and candidate pair, as evaluate counts it (the folds of cross-validation). */
  domainOf: (type: RelationType, origin: string, destination: string) => string;
}

export async function trainingSet(name: string, fw: RelationFramework, space: CandidateSpace, truth: TruthRow[]): Promise<TrainingSet> {
  const resolve = itemResolver(fw);
  const byId = new Map(fw.items.map((i) => [i.identifier, i]));
  const keys = new Set<string>();
  for (const t of truth) {
    const [a, b] = [resolve(t.origin), resolve(t.destination)];
    if (!a || !b || a === b || a.ancestors.has(b.identifier) || b.ancestors.has(a.identifier)) continue;
    keys.add(relationKey(t.type, a.identifier, b.identifier));
  }
  const domainOf = (type: RelationType, o: string, d: string) => {
    const [a, b] = [byId.get(o)!, byId.get(d)!];
    return (type === 'precedes' ? b : a.order <= b.order ? a : b).domainLabel || '(none)';
  };
  return { name, framework: fw.identifier, features: await pairFeatures(fw, space), truth: keys, domainOf };
}

const label = (type: RelationType, r: PairRow, truth: Set<string>) => (truth.has(relationKey(type, r.origin, r.destination)) ? 1 : 0);

/** The rows of some sets (restricted to some domains), each set weighing the same however many pairs it has. */
function rowsOf(sets: TrainingSet[], type: RelationType, keep: (s: TrainingSet, r: PairRow) => boolean) {
  const out: Array<{ x: number[]; y: number; s: number }> = [];
  const per = sets.map((set) => (type === 'precedes' ? set.features.precedes : set.features.related).filter((r) => keep(set, r)));
  const positives = sets.map((set, n) => per[n]!.filter((r) => label(type, r, set.truth)).length);
  const mean = positives.reduce((a, b) => a + b, 0) / Math.max(1, positives.filter(Boolean).length);
  sets.forEach((set, n) => {
    if (!positives[n]) return;
    const s = mean / positives[n]!;
    for (const r of per[n]!) out.push({ x: r.x, y: label(type, r, set.truth), s });
  });
  return out;
}

/** Mean F over the sets of the proposals `select` keeps at a threshold (other relation type left out). */
function meanF(sets: TrainingSet[], type: RelationType, w: number[], min: number, keep: (s: TrainingSet, r: PairRow) => boolean, keepTruth: (s: TrainingSet, key: string) => boolean): number {
  const fs = sets.flatMap((set) => {
    const truth = [...set.truth].filter((k) => k.startsWith(`${type}:`) && keepTruth(set, k));
    if (!truth.length) return [];
    const rows = (type === 'precedes' ? set.features.precedes : set.features.related).filter((r) => keep(set, r));
    const scored = rows.map((row) => ({ row, p: sigmoid(dot(w, row.x)), min }));
    const props = select(type === 'precedes' ? scored : [], type === 'precedes' ? [] : scored, LIMITS);
    const tp = props.filter((p) => set.truth.has(relationKey(type, p.origin, p.destination))).length;
    return [props.length + truth.length ? (2 * tp) / (props.length + truth.length) : 0];
  });
  return fs.length ? fs.reduce((a, b) => a + b, 0) / fs.length : 0;
}

const THRESHOLDS = [0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6];

/**
 * Fits both models on the training sets (optionally only their pairs for which `keep` holds: the training folds of
 * cross-validation), and picks each model's threshold for the best mean F on the same rows.
 */
export function fitWeights(sets: TrainingSet[], keep: (set: TrainingSet, type: RelationType, r: PairRow) => boolean = () => true): OfflineWeights {
  const fit = (type: RelationType) => {
    const k = (s: TrainingSet, r: PairRow) => keep(s, type, r);
    const kt = (s: TrainingSet, key: string) => {
      const [, o, d] = key.split(':');
      return keep(s, type, { origin: o!, destination: d!, x: [] });
    };
    const w = logistic(rowsOf(sets, type, k));
    let best = { t: THRESHOLDS[0]!, f: -1 };
    for (const t of THRESHOLDS) {
      const f = meanF(sets, type, w, t, k, kt);
      if (f > best.f) best = { t, f };
    }
    return { w, t: best.t };
  };
  const p = fit('precedes');
  const r = fit('isRelatedTo');
  return {
    precedes: { features: precedesFeatures, weights: p.w, threshold: p.t, perDestination: LIMITS.perDestination, perOrigin: LIMITS.perOrigin },
    related: { features: relatedFeatures, weights: r.w, threshold: r.t, perItem: LIMITS.relatedPerItem },
    fittedOn: sets.map((s) => ({ name: s.name, framework: s.framework, precedes: [...s.truth].filter((k) => k.startsWith('precedes:')).length, isRelatedTo: [...s.truth].filter((k) => k.startsWith('isRelatedTo:')).length })),
  };
}

/** Scores pairs with fitted weights (checked against the feature list they were fitted with). */
export function score(features: PairFeatures, weights: OfflineWeights): { precedes: Scored[]; related: Scored[] } {
  for (const [names, fitted] of [[precedesFeatures, weights.precedes.features], [relatedFeatures, weights.related.features]] as const) {
    if (names.join() !== fitted.join()) throw new Error(`offline weights: fitted for features ${fitted.join(', ')}, not ${names.join(', ')}; run scripts/fit-relations.ts`);
  }
  return {
    precedes: features.precedes.map((row) => ({ row, p: sigmoid(dot(weights.precedes.weights, row.x)), min: weights.precedes.threshold })),
    related: features.related.map((row) => ({ row, p: sigmoid(dot(weights.related.weights, row.x)), min: weights.related.threshold })),
  };
}

/**
 * Held-out proposals on one ground truth: its domains are dealt into `folds` folds (balancing their truth
 * relations); each fold's pairs are scored by weights fitted on the other folds only (a pair's fold is its domain as
 * evaluate counts it), and the selection then runs over all pairs. No relation of a fold is seen when scoring it.
 */
export function crossValidate(set: TrainingSet, folds: number): { proposals: Proposal[]; folds: string[][] } {
  const count = new Map<string, number>();
  for (const key of set.truth) {
    const [type, o, d] = key.split(':') as [RelationType, string, string];
    const dom = set.domainOf(type, o, d);
    count.set(dom, (count.get(dom) ?? 0) + 1);
  }
  for (const r of set.features.precedes) if (!count.has(set.domainOf('precedes', r.origin, r.destination))) count.set(set.domainOf('precedes', r.origin, r.destination), 0);
  const k = Math.max(2, Math.min(folds, count.size));
  const groups: string[][] = Array.from({ length: k }, () => []);
  const load = new Array<number>(k).fill(0);
  for (const [dom, n] of [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const f = load.indexOf(Math.min(...load));
    groups[f]!.push(dom);
    load[f]! += n;
  }
  const foldOf = new Map(groups.flatMap((g, f) => g.map((d) => [d, f] as const)));
  const fold = (type: RelationType, r: Pick<PairRow, 'origin' | 'destination'>) => foldOf.get(set.domainOf(type, r.origin, r.destination))!;
  const precedes: Scored[] = [];
  const related: Scored[] = [];
  for (let f = 0; f < k; f++) {
    const w = fitWeights([set], (_s, type, r) => fold(type, r) !== f);
    const s = score(set.features, w);
    precedes.push(...s.precedes.filter((x) => fold('precedes', x.row) === f));
    related.push(...s.related.filter((x) => fold('isRelatedTo', x.row) === f));
  }
  return { proposals: select(precedes, related, LIMITS), folds: groups };
}
