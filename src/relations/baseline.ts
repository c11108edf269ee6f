import type { CandidateSpace } from './candidates.js';
import type { Estimator, EstimateResult } from './estimator.js';
import { noUsage } from './estimator.js';
import type { Proposal, RelationFramework } from './model.js';
import { cosine, tfidf, words } from './text.js';

/**
 * The plain baseline: TF-IDF cosine of the item texts over ALL pairs (no hierarchy), above a threshold.
 * precedes goes from the earlier item to the later one in document order; isRelatedTo needs a higher cosine.
 */
export function tfidfEstimator(opts: { precedesThreshold?: number; relatedThreshold?: number } = {}): Estimator {
  const precedesThreshold = opts.precedesThreshold ?? 0.3;
  const relatedThreshold = opts.relatedThreshold ?? 0.5;
  return {
    name: 'tfidf',
    params: { precedesThreshold, relatedThreshold },
    async estimate(fw: RelationFramework, _space: CandidateSpace): Promise<EstimateResult> {
      const items = [...fw.items].sort((a, b) => a.order - b.order);
      const v = tfidf(items.map((i) => words(i.text, fw.language)));
      const proposals: Proposal[] = [];
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          const s = cosine(v[i]!, v[j]!);
          const [a, b] = [items[i]!.identifier, items[j]!.identifier];
          if (s >= relatedThreshold) proposals.push({ origin: a, destination: b, type: 'isRelatedTo', confidence: s });
          else if (s >= precedesThreshold) proposals.push({ origin: a, destination: b, type: 'precedes', confidence: s });
        }
      }
      return { proposals, usage: noUsage() };
    },
  };
}
