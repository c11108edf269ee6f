import type { CandidateSpace } from './candidates.js';
import type { EstimateContext, Estimator, EstimateResult } from './estimator.js';
import { noUsage } from './estimator.js';
import { pairFeatures } from './features.js';
import { score, select, type OfflineWeights } from './learn.js';
import type { RelationFramework, RelationItem } from './model.js';
import { fittedWeights } from './weights.js';

/**
 * The offline estimator: no network, no key, any framework and language. Every candidate pair gets the features of
 * features.ts (lexical similarity by morphological analysis for Japanese, and the place of both items in the
 * hierarchy), two logistic models with weights fitted on the shared ground truths (weights.ts) give the probability of
 * precedes and of isRelatedTo, and `select` keeps each item's strongest few and reduces the precedes transitively.
 * See docs/relations.md.
 */
export function offlineEstimator(opts: { weights?: OfflineWeights | undefined } = {}): Estimator {
  const weights = opts.weights ?? fittedWeights;
  return {
    name: 'offline',
    params: {
      precedesThreshold: weights.precedes.threshold, relatedThreshold: weights.related.threshold, perDestination: weights.precedes.perDestination,
      perOrigin: weights.precedes.perOrigin, relatedPerItem: weights.related.perItem, fittedOn: weights.fittedOn.map((f) => f.name),
    },
    async estimate(fw: RelationFramework, space: CandidateSpace, ctx: EstimateContext = {}): Promise<EstimateResult> {
      ctx.signal?.throwIfAborted();
      // One step: the features need every candidate pair at once (ranks among the other candidates of an item).
      ctx.onProgress?.(0, space.blocks.length);
      const s = score(await pairFeatures(fw, space), weights);
      ctx.signal?.throwIfAborted();
      const byId = new Map(fw.items.map((i) => [i.identifier, i]));
      const proposals = select(s.precedes, s.related, { perDestination: weights.precedes.perDestination, perOrigin: weights.precedes.perOrigin, relatedPerItem: weights.related.perItem })
        .map((p) => ({ ...p, rationale: offlineReason(byId.get(p.origin)!, byId.get(p.destination)!) }));
      ctx.onProgress?.(space.blocks.length, space.blocks.length);
      return { proposals, usage: noUsage() };
    },
  };
}

/**
 * Why the offline estimator proposes a pair, as a structured reason ("same category, grade +1": where the two items
 * are, and the grade gap) that the review queue translates (web/src/features/relations/lib/rationale.ts).
 */
export function offlineReason(a: RelationItem, b: RelationItem): string {
  const gap = (b.grade ?? 0) - (a.grade ?? 0);
  const where = a.category && a.category === b.category ? 'same category' : a.domain === b.domain ? 'same domain' : 'other domain';
  return `${where}, grade ${gap === 0 ? 'same' : gap > 0 ? `+${gap}` : gap}`;
}
