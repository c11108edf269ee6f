import { apiClient } from '../../../lib/api-client.js';
import { invalidateQueries, useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';

export type RelationType = 'precedes' | 'isRelatedTo';
export type ReviewAction = 'accept' | 'reject' | 'flip' | 'change-type' | 'comment';

export interface ItemView {
  identifier: string;
  code: string | null;
  text: string;
  grade: string;
  domain: string;
  category: string;
  path: string[];
  /** The item's framework: another one than the queue's in a cross-subject suggestion. */
  framework: { identifier: string; title: string } | null;
}

export interface Suggestion {
  id: string;
  type: RelationType;
  status: 'pending' | 'accepted' | 'rejected' | 'superseded';
  /** The estimator's, while the suggestion is the relation it proposed; null once a reviewer flipped or retyped it. */
  confidence: number | null;
  /** A reviewer flipped or retyped it: `proposed` is what the estimator proposed. */
  edited: boolean;
  proposed: { origin: string; destination: string; type: RelationType; confidence: number; rationale: string | null };
  domain: string;
  estimator: string;
  model: string | null;
  rationale: string | null;
  comment: string | null;
  associationIdentifier: string | null;
  origin: ItemView;
  destination: ItemView;
}

export interface SuggestionList {
  total: number;
  domains: string[];
  suggestions: Suggestion[];
}

export interface QueueFilter {
  status: string;
  type?: RelationType | undefined;
  domain?: string | undefined;
  sort: 'confidence' | '-confidence' | 'domain';
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

export interface EvaluationResult {
  candidatePairs: number;
  allPairs: number;
  truthInScope: number;
  truthOutOfScope: number;
  scores: Score[];
}

const KEY = 'relations:';

export const useSuggestions = (framework: string, f: QueueFilter) =>
  useQuery(`${KEY}${framework}:${JSON.stringify(f)}`, () => apiClient.get<SuggestionList>(api.relationSuggestions(framework, { ...f, limit: 200 })));

export async function decideSuggestions(framework: string, ids: string[], action: ReviewAction, extra: { type?: RelationType; comment?: string } = {}) {
  const r = await apiClient.post<{ suggestions: Suggestion[] }>(api.relationDecisions(framework), { ids, action, ...extra });
  invalidateQueries(KEY);
  return r;
}

export async function addRelation(framework: string, body: { origin: string; destination: string; type: RelationType; comment?: string }) {
  const r = await apiClient.post<Suggestion>(api.relationAdd(framework), body);
  invalidateQueries(KEY);
  return r;
}

export type Estimator = 'offline' | 'tfidf' | 'llm';
export type LlmProvider = 'openai' | 'openai-chat' | 'anthropic' | 'google' | 'openai-compatible';

/** An estimation run as the server reports it while it works in the background (docs/relations.md). */
export interface Run {
  id: string;
  /** A cross-subject run: the other framework. */
  targetFramework: string | null;
  estimator: Estimator;
  model: string | null;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  error: string | null;
  progress: { done: number; total: number };
  suggestions: number;
  /** Blocks given up after retries: the run completed without them. */
  skippedBlocks: number;
  cancelRequested: boolean;
  /** Each block's outcome (GET of one run). */
  blocks?: RunBlock[];
  candidatePairs: number;
  allPairs: number;
  requests: number;
  cachedRequests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface RunBlock {
  position: number;
  label: string;
  items: number;
  pairs: number;
  status: 'ok' | 'retried' | 'skipped';
  cached: boolean;
  attempts: number;
  reason: string | null;
}

export interface ProviderStatus {
  provider: LlmProvider;
  configured: boolean;
  /** The environment variable the server needs for it. */
  variable: string;
}

const RUNS = 'relation-runs:';

export const useRuns = (framework: string) => useQuery(`${RUNS}${framework}`, () => apiClient.get<{ canStart: boolean; runs: Run[] }>(api.relationRuns(framework)));

export const useProviders = (enabled: boolean) =>
  useQuery(enabled ? 'relation-providers' : null, () => apiClient.get<{ providers: ProviderStatus[] }>(api.relationProviders));

export const startRun = (framework: string, body: { estimator: Estimator; provider?: LlmProvider; model?: string; targetFramework?: string; language?: 'ja' | 'en' }) => apiClient.post<Run>(api.relationRuns(framework), body);

export const cancelRun = (framework: string, id: string) => apiClient.post<Run>(api.relationRunCancel(framework, id), {});

export const getRun = (framework: string, id: string) => apiClient.get<Run>(api.relationRun(framework, id));

/** A run ended: its suggestions are in the queue, and the list of runs changed. */
export function runEnded() {
  invalidateQueries(KEY);
  invalidateQueries(RUNS);
}

export const evaluateRelations = (framework: string, body: { groundTruth: string; closure?: boolean }) =>
  apiClient.post<EvaluationResult>(api.relationEvaluation(framework), body);
