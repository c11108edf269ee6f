import { domainFamily, type CandidateSpace } from './candidates.js';
import type { RelationFramework, RelationItem } from './model.js';
import { japaneseTerms, stripBoilerplate } from './morphology.js';
import { charGrams, cosine, tfidf, words, type Vector } from './text.js';

/**
 * What the offline estimator knows of a candidate pair, as numbers its fitted weights (weights.ts) combine: lexical
 * similarity (content words, character n-grams, the two categories' labels), its rank among the other candidates of
 * either end, and the place of both items in the hierarchy (grade distance, domain, domain family, category, order in
 * the category, viewpoint, depth). Names, so that fitted weights are read by name and a changed list is caught.
 */
export const precedesFeatures = [
  'bias', 'words', 'chars', 'categoryText', 'rankAmongOrigins', 'rankAmongDestinations', 'relativeToBest',
  'sameGrade', 'nextGrade', 'laterGrade', 'sameDomain', 'family', 'sameCategory', 'earlierInDocument', 'nextSibling',
  'siblingCloseness', 'knowledgeToThinking', 'lastKnowledgeToFirstThinking', 'thinkingToThinking', 'thinkingOrigin',
  'samePlaceInStrand', 'originDeeper', 'originShallower', 'words×sameGrade', 'words×nextGrade', 'words×otherDomain',
  'best×sameDomain', 'best×family', 'best×otherDomain', 'categoryText×nextGrade', 'siblingCloseness×words',
] as const;

export const relatedFeatures = [
  'bias', 'words', 'chars', 'categoryText', 'mutualRank', 'relativeToBest', 'sameDomain', 'sameCategory',
  'knowledgeAndThinking', 'bothThinking', 'adjacent', 'sameDepth', 'words×otherDomain',
] as const;

/** One candidate pair and its features (in the order of precedesFeatures or relatedFeatures). */
export interface PairRow {
  origin: string;
  destination: string;
  x: number[];
}

export interface PairFeatures {
  /** Ordered candidate pairs (origin precedes destination?). */
  precedes: PairRow[];
  /** Unordered candidate pairs of one grade (origin < destination by identifier). */
  related: PairRow[];
}

/**
 * Each item's word and character vectors and its category label's; similarity of two items (cosines). Also what a
 * crosswalk ranks its suggested matches by (src/crosswalks).
 */
export async function itemSimilarity(fw: RelationFramework) {
  const ja = fw.language === 'ja';
  const texts = fw.items.map((i) => stripBoilerplate(i.below ? `${i.text}\n${i.below}` : i.text));
  const tokens = ja ? await japaneseTerms(texts) : texts.map((t) => words(t, 'en'));
  const labels = ja ? await japaneseTerms(fw.items.map((i) => i.categoryLabel)) : fw.items.map((i) => words(i.categoryLabel, 'en'));
  const w = tfidf(tokens);
  const c = tfidf(texts.map((t) => charGrams(t, ja ? 2 : 4)));
  const l = tfidf(labels);
  const index = new Map(fw.items.map((i, k) => [i.identifier, k]));
  const at = (vs: Vector[], i: RelationItem) => vs[index.get(i.identifier)!]!;
  return {
    words: (a: RelationItem, b: RelationItem) => cosine(at(w, a), at(w, b)),
    chars: (a: RelationItem, b: RelationItem) => cosine(at(c, a), at(c, b)),
    /** Words and characters together: what ranks the candidates of an item. */
    both: (a: RelationItem, b: RelationItem) => (cosine(at(w, a), at(w, b)) + cosine(at(c, a), at(c, b))) / 2,
    label: (a: RelationItem, b: RelationItem) => cosine(at(l, a), at(l, b)),
  };
}

/** Position of each item among the items of its category in its grade (document order), and their count. */
function strands(fw: RelationFramework) {
  const groups = new Map<string, RelationItem[]>();
  for (const i of fw.items) {
    const k = `${i.grade ?? ''}\t${i.category}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  }
  const place = new Map<string, { rank: number; size: number; lastKnowledge: boolean; firstThinking: boolean }>();
  for (const list of groups.values()) {
    list.sort((x, y) => x.order - y.order);
    const knowledge = list.filter((i) => i.viewpoint === 'knowledge');
    const thinking = list.filter((i) => i.viewpoint === 'thinking');
    list.forEach((i, rank) => place.set(i.identifier, { rank, size: list.length, lastKnowledge: i === knowledge.at(-1), firstThinking: i === thinking[0] }));
  }
  return place;
}

/** 1/rank of each pair's value among the pairs sharing the key (1 for the largest). */
function ranks(pairs: Array<{ key: string; value: number }>): number[] {
  const by = new Map<string, number[]>();
  pairs.forEach((p, n) => {
    const list = by.get(p.key);
    if (list) list.push(n);
    else by.set(p.key, [n]);
  });
  const out = new Array<number>(pairs.length).fill(0);
  for (const list of by.values()) list.sort((x, y) => pairs[y]!.value - pairs[x]!.value).forEach((n, r) => (out[n] = 1 / (r + 1)));
  return out;
}

const num = (b: boolean) => (b ? 1 : 0);

/** The features of every candidate pair of a space. */
export async function pairFeatures(fw: RelationFramework, space: CandidateSpace): Promise<PairFeatures> {
  const sim = await itemSimilarity(fw);
  const place = strands(fw);
  const family = domainFamily(fw);
  const byId = new Map(fw.items.map((i) => [i.identifier, i]));
  const pairs = [...space.pairs].map((k) => k.split('\t').map((id) => byId.get(id)!) as [RelationItem, RelationItem]);
  const lexical = pairs.map(([a, b]) => ({ w: sim.words(a, b), c: sim.chars(a, b), l: sim.label(a, b) }));
  const both = lexical.map((s) => (s.w + s.c) / 2);
  const amongOrigins = ranks(pairs.map(([, b], n) => ({ key: b.identifier, value: both[n]! })));
  const amongDestinations = ranks(pairs.map(([a], n) => ({ key: a.identifier, value: both[n]! })));
  const best = new Map<string, number>();
  pairs.forEach(([, b], n) => best.set(b.identifier, Math.max(best.get(b.identifier) ?? 0, both[n]!)));
  const precedes = pairs.map(([a, b], n): PairRow => {
    const s = lexical[n]!;
    const gap = (b.grade ?? 0) - (a.grade ?? 0);
    const sameCategory = a.category !== '' && a.category === b.category;
    const [pa, pb] = [place.get(a.identifier)!, place.get(b.identifier)!];
    const step = sameCategory && gap === 0 ? pb.rank - pa.rank : 0;
    const kToT = gap === 0 && sameCategory && a.viewpoint === 'knowledge' && b.viewpoint === 'thinking';
    const rel = (p: typeof pa) => (p.size > 1 ? p.rank / (p.size - 1) : 0.5);
    const x = [
      1, s.w, s.c, s.l, amongOrigins[n]!, amongDestinations[n]!, both[n]! / (best.get(b.identifier) || 1),
      num(gap === 0), num(gap === 1), num(gap >= 2), num(a.domain === b.domain), num(family(a, b)), num(sameCategory),
      num(gap === 0 && a.order < b.order), num(step === 1), step > 0 ? 1 / step : 0, num(kToT),
      num(kToT && pa.lastKnowledge && pb.firstThinking), num(a.viewpoint === 'thinking' && b.viewpoint === 'thinking'), num(a.viewpoint === 'thinking'),
      sameCategory && gap > 0 ? 1 - Math.abs(rel(pa) - rel(pb)) : 0, num(a.path.length > b.path.length), num(a.path.length < b.path.length),
      s.w * num(gap === 0), s.w * num(gap === 1), s.w * num(a.domain !== b.domain),
      0, 0, 0, s.l * num(gap === 1), (step > 0 ? 1 / step : 0) * s.w,
    ];
    const relBest = x[6]!;
    [x[26], x[27], x[28]] = [relBest * num(a.domain === b.domain), relBest * num(family(a, b)), relBest * num(a.domain !== b.domain)];
    return { origin: a.identifier, destination: b.identifier, x };
  });
  // isRelatedTo: the unordered pairs of one grade in the space.
  const seen = new Set<string>();
  const unordered: Array<[RelationItem, RelationItem, number]> = [];
  pairs.forEach(([a, b], n) => {
    if ((a.grade ?? 0) !== (b.grade ?? 0)) return;
    const [x, y] = a.identifier < b.identifier ? [a, b] : [b, a];
    const k = `${x.identifier}\t${y.identifier}`;
    if (seen.has(k)) return;
    seen.add(k);
    unordered.push([x, y, n]);
  });
  const mine = (key: (p: [RelationItem, RelationItem, number]) => string) => ranks(unordered.map((p) => ({ key: key(p), value: both[p[2]]! })));
  const [r1, r2] = [mine(([a]) => a.identifier), mine(([, b]) => b.identifier)];
  const bestOf = new Map<string, number>();
  for (const [a, b, n] of unordered) for (const i of [a, b]) bestOf.set(i.identifier, Math.max(bestOf.get(i.identifier) ?? 0, both[n]!));
  const related = unordered.map(([a, b, n], k): PairRow => {
    const s = lexical[n]!;
    const sameCategory = a.category !== '' && a.category === b.category;
    const [pa, pb] = [place.get(a.identifier)!, place.get(b.identifier)!];
    const x = [
      1, s.w, s.c, s.l, (r1[k]! + r2[k]!) / 2, both[n]! / (Math.min(bestOf.get(a.identifier)!, bestOf.get(b.identifier)!) || 1),
      num(a.domain === b.domain), num(sameCategory), num(Boolean(a.viewpoint && b.viewpoint && a.viewpoint !== b.viewpoint)),
      num(a.viewpoint === 'thinking' && b.viewpoint === 'thinking'), num(sameCategory && Math.abs(pa.rank - pb.rank) === 1),
      num(a.path.length === b.path.length), s.w * num(a.domain !== b.domain),
    ];
    return { origin: a.identifier, destination: b.identifier, x };
  });
  return { precedes, related };
}
