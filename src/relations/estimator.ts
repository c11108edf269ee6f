import type { CandidateSpace } from './candidates.js';
import type { Proposal, RelationFramework } from './model.js';

export interface Usage {
  requests: number;
  cachedRequests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export const noUsage = (): Usage => ({ requests: 0, cachedRequests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });

export interface EstimateContext {
  /** `done` of `total` hierarchy blocks; with the proposals and usage so far when the estimator knows them. */
  onProgress?: ((done: number, total: number, sofar?: { proposals: number; usage: Usage }) => void) | undefined;
  /** Checked between blocks: a server closing stops its runs. */
  signal?: AbortSignal | undefined;
}

export interface EstimateResult {
  proposals: Proposal[];
  usage: Usage;
}

/** Something that proposes precedes / isRelatedTo between a framework's items, within a candidate space. */
export interface Estimator {
  /** `offline`, `tfidf`, `llm`... */
  readonly name: string;
  readonly model?: string | undefined;
  readonly promptVersion?: string | undefined;
  /** What the run used, stored with it (thresholds, provider...). Never secrets. */
  readonly params: Record<string, unknown>;
  estimate(fw: RelationFramework, space: CandidateSpace, ctx?: EstimateContext): Promise<EstimateResult>;
}
