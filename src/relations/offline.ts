import { pairKey, type CandidateSpace } from './candidates.js';
import type { EstimateContext, Estimator, EstimateResult } from './estimator.js';
import { noUsage } from './estimator.js';
import type { Proposal, RelationFramework, RelationItem } from './model.js';
import { charGrams, cosine, tfidf, words, type Vector } from './text.js';

export interface OfflineOptions {
  /** At most this many precedes origins per destination item (the strongest). */
  precedesPerItem?: number | undefined;
  /** At most this many isRelatedTo partners per item. */
  relatedPerItem?: number | undefined;
  /** Smallest score kept. */
  minScore?: number | undefined;
}

/**
 * Lexical similarity of every item with every other: words (Intl.Segmenter) and character n-grams, averaged. An item
 * is read with the statements under it that are not estimated themselves: a Course of Study category is its label
 * and one formulaic sentence, and what it teaches is in its content items.
 */
export function similarity(fw: RelationFramework): (a: RelationItem, b: RelationItem) => number {
  const n = fw.language === 'ja' ? 2 : 4;
  const texts = fw.items.map((i) => (i.below ? `${i.text}\n${i.below}` : i.text));
  const w = tfidf(texts.map((t) => words(t, fw.language)));
  const c = tfidf(texts.map((t) => charGrams(t, n)));
  const index = new Map(fw.items.map((i, k) => [i.identifier, k]));
  const memo = new Map<string, number>();
  const vec = (vs: Vector[], i: RelationItem) => vs[index.get(i.identifier)!]!;
  return (a, b) => {
    const k = a.identifier < b.identifier ? `${a.identifier}\t${b.identifier}` : `${b.identifier}\t${a.identifier}`;
    let s = memo.get(k);
    if (s === undefined) memo.set(k, (s = 0.5 * cosine(vec(w, a), vec(w, b)) + 0.5 * cosine(vec(c, a), vec(c, b))));
    return s;
  };
}

/**
 * How plausible "a precedes b" is from the hierarchy alone: the next grade is the likeliest, then the same grade
 * (a earlier in the document), then further grades; the same category label (加法及び減法 in grades 1–3) and the same
 * domain make it likelier; a knowledge-and-skills item comes before the thinking item of its category.
 */
function precedesPrior(a: RelationItem, b: RelationItem, siblingStep: number): number {
  const gap = (b.grade ?? 0) - (a.grade ?? 0);
  if (gap < 0) return 0;
  let p = gap === 1 ? 1 : gap === 0 ? (a.order < b.order ? 0.8 : 0.2) : gap === 2 ? 0.5 : 0.25;
  // The next sibling in the document builds on the one before it.
  if (gap === 0 && siblingStep === 1) p *= 1.6;
  if (a.category && a.category === b.category) p *= gap === 0 ? 1.3 : 1.6;
  else if (a.domain === b.domain) p *= 1;
  else p *= 0.7;
  if (gap === 0 && a.viewpoint === 'knowledge' && b.viewpoint === 'thinking' && a.category === b.category) p *= 1.3;
  return p;
}

/** isRelatedTo: items of one grade, the same category or a different domain, that share vocabulary. */
function relatedPrior(a: RelationItem, b: RelationItem): number {
  if ((a.grade ?? 0) !== (b.grade ?? 0)) return 0;
  if (a.viewpoint && b.viewpoint && a.viewpoint !== b.viewpoint && a.category === b.category) return 0.9;
  return a.domain !== b.domain ? 1 : 0.8;
}

/** Keeps each item's `k` strongest proposals (by the item `side` picks), above `min`. */
function strongest(xs: Proposal[], side: (p: Proposal) => string[], k: number, min: number): Proposal[] {
  const by = new Map<string, Proposal[]>();
  for (const p of xs) {
    if (p.confidence < min) continue;
    for (const s of side(p)) {
      const list = by.get(s);
      if (list) list.push(p);
      else by.set(s, [p]);
    }
  }
  const kept = new Set<Proposal>();
  for (const list of by.values()) list.sort((x, y) => y.confidence - x.confidence).slice(0, k).forEach((p) => kept.add(p));
  return xs.filter((p) => kept.has(p));
}

/**
 * The offline estimator: no network, no key, any framework and language. Every candidate pair gets
 * score = lexical similarity × hierarchy prior; each item keeps its few strongest precedes origins and related
 * partners. See docs/relations.md.
 */
export function offlineEstimator(opts: OfflineOptions = {}): Estimator {
  const precedesPerItem = opts.precedesPerItem ?? 2;
  const relatedPerItem = opts.relatedPerItem ?? 1;
  const minScore = opts.minScore ?? 0.12;
  return {
    name: 'offline',
    params: { precedesPerItem, relatedPerItem, minScore },
    async estimate(fw: RelationFramework, space: CandidateSpace, ctx: EstimateContext = {}): Promise<EstimateResult> {
      const sim = similarity(fw);
      const rank = siblingRanks(fw);
      const byId = new Map(fw.items.map((i) => [i.identifier, i]));
      const precedes: Proposal[] = [];
      const related: Proposal[] = [];
      // Block by block (the order of space.pairs), yielding between blocks so that a server keeps answering.
      const seen = new Set<string>();
      ctx.onProgress?.(0, space.blocks.length);
      for (const [n, block] of space.blocks.entries()) {
        ctx.signal?.throwIfAborted();
        for (const [o, d] of block.pairs) {
          const key = pairKey(o, d);
          if (seen.has(key)) continue;
          seen.add(key);
          const a = byId.get(o)!;
          const b = byId.get(d)!;
          const s = sim(a, b);
          const p = s * precedesPrior(a, b, a.category === b.category ? rank.get(d)! - rank.get(o)! : 0);
          if (p > 0) precedes.push({ origin: o, destination: d, type: 'precedes', confidence: p, rationale: `similarity ${s.toFixed(2)}, ${describe(a, b)}` });
          // isRelatedTo is undirected: score each unordered pair once.
          if (o < d || !space.pairs.has(pairKey(d, o))) {
            const r = s * relatedPrior(a, b);
            if (r > 0) related.push({ origin: o, destination: d, type: 'isRelatedTo', confidence: r, rationale: `similarity ${s.toFixed(2)}, ${describe(a, b)}` });
          }
        }
        ctx.onProgress?.(n + 1, space.blocks.length);
        await new Promise((r) => setImmediate(r));
      }
      const keptPrecedes = strongest(precedes, (p) => [p.destination], precedesPerItem, minScore);
      const precedesPairs = new Set(keptPrecedes.map((p) => [p.origin, p.destination].sort().join('\t')));
      // A pair is either a prerequisite or related, not both: precedes wins, and related needs more similarity.
      const keptRelated = strongest(related.filter((p) => !precedesPairs.has([p.origin, p.destination].sort().join('\t'))), (p) => [p.origin, p.destination], relatedPerItem, minScore * 2);
      // Scores are unbounded; confidence maps them monotonically into (0, 1).
      const proposals = [...keptPrecedes, ...keptRelated].map((p) => ({ ...p, confidence: p.confidence / (p.confidence + 0.25) }));
      return { proposals, usage: noUsage() };
    },
  };
}

/** Each item's position among the items of its category (siblings), in document order. */
function siblingRanks(fw: RelationFramework): Map<string, number> {
  const byCategory = new Map<string, RelationItem[]>();
  for (const i of fw.items) byCategory.set(i.category, [...(byCategory.get(i.category) ?? []), i]);
  const rank = new Map<string, number>();
  for (const list of byCategory.values()) list.sort((x, y) => x.order - y.order).forEach((i, n) => rank.set(i.identifier, n));
  return rank;
}

function describe(a: RelationItem, b: RelationItem): string {
  const gap = (b.grade ?? 0) - (a.grade ?? 0);
  const where = a.category && a.category === b.category ? 'same category' : a.domain === b.domain ? 'same domain' : 'other domain';
  return `${where}, grade ${gap === 0 ? 'same' : `+${gap}`}`;
}
