import type { LlmSettings } from '../config.js';
import type { Db } from '../store/db.js';
import { loadPackage } from '../store/case.js';
import { failRun, finishRun, insertRun, replaceSuggestions, startRun, updateRunProgress, type RunRow, type RunUsage } from '../store/relations.js';
import { rowsToPackage, uuidv4 } from '../case/index.js';
import { isShirubeError, ShirubeError } from '../errors.js';
import { candidateSpace, type CandidateOptions, type CandidateSpace } from './candidates.js';
import { combineFrameworks, crossCandidateSpace } from './cross.js';
import type { EstimateContext, Estimator, Usage } from './estimator.js';
import { relationFramework, type FrameworkOptions } from './framework.js';
import type { Proposal, RelationFramework } from './model.js';
import { offlineEstimator } from './offline.js';
import { tfidfEstimator } from './baseline.js';
import { llmEstimator } from './llm.js';
import { llmProviders, type LlmProvider } from './providers.js';

/** A stored framework as the estimators see it. */
export async function loadRelationFramework(db: Db, documentIdentifier: string, opts: FrameworkOptions = {}): Promise<RelationFramework> {
  const rows = await loadPackage(db, documentIdentifier);
  if (!rows) throw new ShirubeError('not_found', `No framework (CFDocument) ${documentIdentifier}`, 'framework');
  return relationFramework(rowsToPackage(rows), opts);
}

export const estimatorNames = ['offline', 'tfidf', 'llm'] as const;

/** The estimator a run asks for, as the CLI's flags and the API's body name it. */
export interface EstimatorChoice {
  estimator: string;
  provider?: string | undefined;
  model?: string | undefined;
}

/** Checks a choice without building it (an LLM's key is looked for when the run starts). */
export function checkEstimatorChoice(c: EstimatorChoice): void {
  if (!(estimatorNames as readonly string[]).includes(c.estimator)) throw new ShirubeError('invalid_request', `estimator: "${c.estimator}" is not one of ${estimatorNames.join(', ')}`, 'estimator');
  if (c.estimator !== 'llm') return;
  if (!(llmProviders as readonly string[]).includes(c.provider ?? 'openai')) throw new ShirubeError('invalid_request', `provider: one of ${llmProviders.join(', ')}`, 'provider');
  if (!c.model?.trim()) throw new ShirubeError('invalid_request', 'model: is required for the llm estimator (e.g. gpt-4o-mini)', 'model');
}

/** The estimator of a choice; an LLM's keys and endpoints come from the configuration (loadConfig), never printed. */
export function estimatorFor(c: EstimatorChoice, deps: { db: Db; llm: LlmSettings }): Estimator {
  checkEstimatorChoice(c);
  if (c.estimator === 'offline') return offlineEstimator();
  if (c.estimator === 'tfidf') return tfidfEstimator();
  return llmEstimator({ provider: (c.provider ?? 'openai') as LlmProvider, model: c.model!.trim(), llm: deps.llm, db: deps.db });
}

/** Written while a run works; a run whose heartbeat is older than STALE_MS was interrupted. */
const HEARTBEAT_MS = 5_000;
export const STALE_MS = 30_000;

/** What the person who started a run reads when it failed: the domain's message, never internals. */
export function runErrorMessage(e: unknown): string {
  if (isShirubeError(e)) return e.message;
  if ((e as Error)?.name === 'AbortError') return 'Interrupted by a restart of the server; start it again';
  return 'The run failed unexpectedly (the server log has the details); start it again';
}

/**
 * What a run estimates: one framework with its hierarchy constraints, or (with `targetFramework`) the pairs across it
 * and another framework (cross.ts), whose suggestions go into the first framework's queue.
 */
export async function estimationSpace(db: Db, documentIdentifier: string, opts: CandidateOptions & FrameworkOptions & { targetFramework?: string | undefined } = {}): Promise<{ framework: RelationFramework; space: CandidateSpace }> {
  if (!opts.targetFramework) {
    const framework = await loadRelationFramework(db, documentIdentifier, opts);
    return { framework, space: candidateSpace(framework, opts) };
  }
  const target = opts.targetFramework;
  if (target === documentIdentifier) throw new ShirubeError('invalid_request', 'targetFramework: must be another framework than the one estimated', 'targetFramework');
  const a = await loadRelationFramework(db, documentIdentifier, opts);
  const b = await loadRelationFramework(db, target).catch((e: unknown) => {
    if (isShirubeError(e) && e.code === 'not_found') throw new ShirubeError('invalid_request', `targetFramework: no framework (CFDocument) ${target}`, 'targetFramework');
    throw e;
  });
  const framework = combineFrameworks(a, b);
  return { framework, space: crossCandidateSpace(framework, a.identifier, b.identifier, { maxGradeGap: opts.maxGradeGap }) };
}

export interface RunOptions extends CandidateOptions, FrameworkOptions, EstimateContext {
  /** A cross-subject run: pairs across this framework and the estimated one only. */
  targetFramework?: string | undefined;
  /** A run already queued (the server's background runs); else a new one is recorded as running. */
  runId?: string | undefined;
  /** Who started it (audit actor), kept with the run. */
  startedBy?: string | undefined;
}

export interface RunResult {
  run: RunRow;
  framework: RelationFramework;
  space: CandidateSpace;
  proposals: Proposal[];
  /** Suggestions stored (pairs already decided by a reviewer are left out). */
  stored: number;
  usage: Usage;
  durationMs: number;
}

/**
 * Runs an estimator on a stored framework and keeps its proposals as pending suggestions, with the run's provenance.
 * The run's state, progress (blocks, proposals, tokens so far) and heartbeat are kept in `estimation_run` while it
 * works; on an error the run is failed with a message for the user, and the error is thrown on.
 */
export async function runEstimation(db: Db, documentIdentifier: string, estimator: Estimator, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const runId = opts.runId ?? uuidv4();
  const model = estimator.model ?? null;
  if (!opts.runId) await insertRun(db, { id: runId, documentIdentifier, estimator: estimator.name, model, params: estimator.params, status: 'running', startedBy: opts.startedBy ?? null });
  // Progress goes to the database at most once a heartbeat (and once at the end), one write at a time.
  let latest: { done: number; total: number; proposals?: number; usage?: RunUsage } | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    const p = latest;
    latest = undefined;
    writing = writing.then(() => updateRunProgress(db, runId, p ? { progressDone: p.done, progressTotal: p.total, suggestions: p.proposals, usage: p.usage } : {})).catch(() => {});
    return writing;
  };
  const timer = setInterval(() => void flush(), HEARTBEAT_MS);
  let lastFlush = 0;
  try {
    const { framework, space } = await estimationSpace(db, documentIdentifier, opts);
    const target = opts.targetFramework;
    const params = {
      ...estimator.params, modes: space.modes, maxGradeGap: space.maxGradeGap, items: framework.items.length, ...(opts.itemTypes ? { itemTypes: opts.itemTypes } : {}),
      ...(target ? { targetFramework: target, targetItems: framework.items.filter((i) => i.framework === target).length } : {}),
    };
    await startRun(db, runId, { params, candidatePairs: space.pairs.size, allPairs: space.allPairs, progressTotal: space.blocks.length });
    const estimated = await estimator.estimate(framework, space, {
      signal: opts.signal,
      onProgress: (done, total, sofar) => {
        opts.onProgress?.(done, total, sofar);
        latest = { done, total, ...(sofar ? { proposals: sofar.proposals, usage: sofar.usage } : {}) };
        // A UI polls the run: show blocks as they finish, without a write per block of a fast estimator.
        if (Date.now() - lastFlush >= 500) {
          lastFlush = Date.now();
          void flush();
        }
      },
    });
    clearInterval(timer);
    await writing;
    const { usage } = estimated;
    const byId = new Map(framework.items.map((i) => [i.identifier, i]));
    // Across two frameworks only pairs across them count (tfidf looks at all pairs); the queue's domain is that of
    // the end in this framework, so that the queue's domain filter (this framework's domains) finds it.
    const proposals = target ? estimated.proposals.filter((p) => byId.get(p.origin)?.framework !== byId.get(p.destination)?.framework) : estimated.proposals;
    const domainOf = (p: Proposal) => (target && byId.get(p.destination)?.framework === target ? byId.get(p.origin) : byId.get(p.destination))?.domainLabel ?? '';
    let stored = 0;
    await db.transaction().execute(async (trx) => {
      stored = await replaceSuggestions(trx, documentIdentifier, estimator.name, model, target ?? null, proposals.map((p) => ({
        id: uuidv4(), documentIdentifier, originIdentifier: p.origin, destinationIdentifier: p.destination, associationType: p.type,
        domain: domainOf(p), estimator: estimator.name, model,
        promptVersion: estimator.promptVersion ?? null, runId, confidence: Math.max(0, Math.min(1, p.confidence)), rationale: p.rationale ?? null,
      })));
      await finishRun(trx, runId, { ...usage, suggestions: stored });
    });
    const run: RunRow = {
      id: runId, documentIdentifier, estimator: estimator.name, model, params, candidatePairs: space.pairs.size, allPairs: space.allPairs, ...usage,
      startedAt: new Date(started), finishedAt: new Date(), status: 'done', progressDone: space.blocks.length, progressTotal: space.blocks.length,
      suggestions: stored, error: null, startedBy: opts.startedBy ?? null,
    };
    return { run, framework, space, proposals, stored, usage, durationMs: Date.now() - started };
  } catch (e) {
    clearInterval(timer);
    await writing;
    await failRun(db, runId, runErrorMessage(e));
    throw e;
  }
}
