import type { RunBlockRow } from '../store/relations.js';
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

/** What happened to one block asked of a model: answered (perhaps after a retry, or from the cache) or skipped. */
export type BlockOutcome = RunBlockRow;

export interface EstimateContext {
  /** `done` of `total` hierarchy blocks; with the proposals and usage so far when the estimator knows them. */
  onProgress?: ((done: number, total: number, sofar?: { proposals: number; usage: Usage }) => void) | undefined;
  /** Each block's outcome as it finishes (estimators that ask per block), with the proposals and usage so far. */
  onBlock?: ((outcome: BlockOutcome, sofar: { proposals: number; usage: Usage; skipped: number }) => Promise<void>) | undefined;
  /** Checked between blocks and passed to requests: a server closing or a cancel stops the run. */
  signal?: AbortSignal | undefined;
}

export interface EstimateResult {
  proposals: Proposal[];
  usage: Usage;
  /** Per block (estimators that ask per block). */
  blocks?: BlockOutcome[] | undefined;
  /** Ordered pairs (`origin\tdestination`) of the blocks answered; absent when every pair was considered. */
  answered?: ReadonlySet<string> | undefined;
}

/**
 * An estimator stopped before its last block (the caller's signal, or a provider that cannot go on): what the
 * blocks done so far gave is kept in `partial`; `cause` says why it stopped.
 */
export class EstimateStopped extends Error {
  constructor(override readonly cause: unknown, readonly partial: EstimateResult) {
    super((cause as Error)?.message ?? String(cause));
    this.name = 'EstimateStopped';
  }
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
