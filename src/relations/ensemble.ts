import { relationKey, type Proposal } from './model.js';

/**
 * Agreement across runs or models: a relation is kept when at least `minVotes` of the proposal lists make it
 * (isRelatedTo in either order); its confidence is the mean over the lists that made it × the share that did.
 */
export function ensemble(lists: Proposal[][], minVotes: number): Proposal[] {
  const votes = new Map<string, { p: Proposal; n: number; sum: number }>();
  for (const list of lists) {
    const seen = new Set<string>();
    for (const p of list) {
      const k = relationKey(p.type, p.origin, p.destination);
      if (seen.has(k)) continue;
      seen.add(k);
      const v = votes.get(k);
      if (v) {
        v.n++;
        v.sum += p.confidence;
      } else votes.set(k, { p, n: 1, sum: p.confidence });
    }
  }
  return [...votes.values()]
    .filter((v) => v.n >= minVotes)
    .map((v) => ({ ...v.p, confidence: (v.sum / v.n) * (v.n / lists.length), rationale: `${v.n} of ${lists.length} agree` }));
}
