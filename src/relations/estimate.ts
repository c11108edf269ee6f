import type { LlmSettings } from '../config.js';
import type { Db } from '../store/db.js';
import { loadPackage } from '../store/case.js';
import { endRun, getRun, insertRun, insertRunBlock, replaceSuggestions, startRun, updateRunProgress, type RunRow, type RunUsage } from '../store/relations.js';
import { rowsToPackage, uuidv4 } from '../case/index.js';
import { isShirubeError, ShirubeError } from '../errors.js';
import { candidateSpace, pairKey, type CandidateOptions, type CandidateSpace } from './candidates.js';
import { combineFrameworks, crossCandidateSpace } from './cross.js';
import { EstimateStopped, noUsage, type BlockOutcome, type EstimateContext, type EstimateResult, type Estimator, type Usage } from './estimator.js';
import { relationFramework, type FrameworkOptions } from './framework.js';
import type { Proposal, RelationFramework } from './model.js';
import { offlineEstimator } from './offline.js';
import { tfidfEstimator } from './baseline.js';
import { llmEstimator } from './llm.js';
import { llmProviders, type LlmProvider } from './providers.js';
import { reviewLanguages, type ReviewLanguage } from './prompts/index.js';

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
  /** An LLM's rationales in this language (the reviewer's; default: the framework's). */
  language?: string | undefined;
  /** One LLM request's time limit (default: SHIRUBE_LLM_TIMEOUT_SECONDS). */
  timeoutSeconds?: number | undefined;
  /** The longest LLM answer asked for (default: the model's, at most 8,192); blocks are cut to fit it. */
  maxOutputTokens?: number | undefined;
}

/** Checks a choice without building it (an LLM's key is looked for when the run starts). */
export function checkEstimatorChoice(c: EstimatorChoice): void {
  if (!(estimatorNames as readonly string[]).includes(c.estimator)) throw new ShirubeError('invalid_request', `estimator: "${c.estimator}" is not one of ${estimatorNames.join(', ')}`, 'estimator');
  if (c.estimator !== 'llm') return;
  if (!(llmProviders as readonly string[]).includes(c.provider ?? 'openai')) throw new ShirubeError('invalid_request', `provider: one of ${llmProviders.join(', ')}`, 'provider');
  if (!c.model?.trim()) throw new ShirubeError('invalid_request', 'model: is required for the llm estimator (e.g. gpt-4o-mini)', 'model');
  if (c.language !== undefined && !(reviewLanguages as readonly string[]).includes(c.language)) throw new ShirubeError('invalid_request', `language: one of ${reviewLanguages.join(', ')}`, 'language');
  if (c.timeoutSeconds !== undefined && !(Number.isInteger(c.timeoutSeconds) && c.timeoutSeconds >= 1 && c.timeoutSeconds <= 3600)) throw new ShirubeError('invalid_request', 'timeoutSeconds: an integer from 1 to 3600', 'timeoutSeconds');
  if (c.maxOutputTokens !== undefined && !(Number.isInteger(c.maxOutputTokens) && c.maxOutputTokens >= 512 && c.maxOutputTokens <= 65_536)) throw new ShirubeError('invalid_request', 'maxOutputTokens: an integer from 512 to 65536', 'maxOutputTokens');
}

/** The estimator of a choice; an LLM's keys and endpoints come from the configuration (loadConfig), never printed. */
export function estimatorFor(c: EstimatorChoice, deps: { db: Db; llm: LlmSettings }): Estimator {
  checkEstimatorChoice(c);
  if (c.estimator === 'offline') return offlineEstimator();
  if (c.estimator === 'tfidf') return tfidfEstimator();
  return llmEstimator({
    provider: (c.provider ?? 'openai') as LlmProvider, model: c.model!.trim(), llm: deps.llm, db: deps.db, language: c.language as ReviewLanguage | undefined,
    timeoutMs: c.timeoutSeconds !== undefined ? c.timeoutSeconds * 1000 : undefined, maxOutputTokens: c.maxOutputTokens,
  });
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
  /** Each block's outcome (estimators that ask per block). */
  blocks: BlockOutcome[];
  durationMs: number;
}

/** A run stopped by a person (POST …/runs/{id}/cancel, `relations cancel`, Ctrl-C of the CLI). */
export class RunCancelled extends Error {
  constructor(readonly by: string | null) {
    super(by ? `Cancelled by ${by}` : 'Cancelled');
    this.name = 'RunCancelled';
  }
}

/**
 * Runs an estimator on a stored framework and keeps its proposals as pending suggestions, with the run's provenance.
 * The run's state, progress (blocks, proposals, tokens so far), each block's outcome and the heartbeat are kept in
 * `estimation_run` while it works. A run asked to stop (from any instance: see requestCancel) stops at its next block
 * or heartbeat. A run that stops early (cancelled, interrupted, a provider that cannot go on) keeps the suggestions of
 * the blocks it finished, and its counters; it is then cancelled or failed with a message for the user, and the error
 * is thrown on.
 */
export async function runEstimation(db: Db, documentIdentifier: string, estimator: Estimator, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const runId = opts.runId ?? uuidv4();
  const model = estimator.model ?? null;
  if (!opts.runId) await insertRun(db, { id: runId, documentIdentifier, estimator: estimator.name, model, params: estimator.params, status: 'running', startedBy: opts.startedBy ?? null });
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  // Progress goes to the database after each block, else at most once a heartbeat, one write at a time; each write
  // also learns whether someone asked the run to stop.
  let latest: { done: number; total: number; proposals?: number; usage?: RunUsage; skipped?: number } | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    const p = latest;
    latest = undefined;
    writing = writing
      .then(() => updateRunProgress(db, runId, p ? { progressDone: p.done, progressTotal: p.total, suggestions: p.proposals, usage: p.usage, skippedBlocks: p.skipped } : {}))
      .then(async ({ cancelRequested }) => {
        if (cancelRequested && !stop.signal.aborted) stop.abort(new RunCancelled((await getRun(db, runId))?.cancelledBy ?? null));
      })
      .catch(() => {});
    return writing;
  };
  const timer = setInterval(() => void flush(), HEARTBEAT_MS);
  let lastFlush = 0;
  let framework: RelationFramework | undefined;
  let space: CandidateSpace | undefined;
  const params: Record<string, unknown> = { ...estimator.params };
  const target = opts.targetFramework;

  /** Stores proposals as the run's suggestions and ends the run (its message may say how many were stored). */
  const store = async (result: EstimateResult, end: { status: 'done' | 'failed' | 'cancelled'; error: (stored: number) => string | null }) => {
    const byId = new Map((framework?.items ?? []).map((i) => [i.identifier, i]));
    // Across two frameworks only pairs across them count (tfidf looks at all pairs); the queue's domain is that of
    // the end in this framework, so that the queue's domain filter (this framework's domains) finds it.
    const proposals = target ? result.proposals.filter((p) => byId.get(p.origin)?.framework !== byId.get(p.destination)?.framework) : result.proposals;
    const domainOf = (p: Proposal) => (target && byId.get(p.destination)?.framework === target ? byId.get(p.origin) : byId.get(p.destination))?.domainLabel ?? '';
    const skippedBlocks = result.blocks?.filter((b) => b.status === 'skipped').length ?? 0;
    // A run that did not answer every pair supersedes earlier suggestions of the pairs it answered only.
    const answered = result.answered;
    const covered = end.status === 'done' && !skippedBlocks ? undefined : (o: string, d: string) => !!answered && (answered.has(pairKey(o, d)) || answered.has(pairKey(d, o)));
    let stored = 0;
    await db.transaction().execute(async (trx) => {
      stored = await replaceSuggestions(trx, documentIdentifier, estimator.name, model, target ?? null, proposals.map((p) => ({
        id: uuidv4(), documentIdentifier, originIdentifier: p.origin, destinationIdentifier: p.destination, associationType: p.type,
        domain: domainOf(p), estimator: estimator.name, model,
        promptVersion: estimator.promptVersion ?? null, runId, confidence: Math.max(0, Math.min(1, p.confidence)), rationale: p.rationale ?? null,
      })), covered);
      await endRun(trx, runId, { ...result.usage, status: end.status, error: end.error(stored), suggestions: stored, skippedBlocks });
    });
    return { stored, proposals };
  };

  try {
    ({ framework, space } = await estimationSpace(db, documentIdentifier, opts));
    Object.assign(params, {
      modes: space.modes, maxGradeGap: space.maxGradeGap, items: framework.items.length, ...(opts.itemTypes ? { itemTypes: opts.itemTypes } : {}),
      ...(target ? { targetFramework: target, targetItems: framework.items.filter((i) => i.framework === target).length } : {}),
    });
    if (!(await startRun(db, runId, { params, candidatePairs: space.pairs.size, allPairs: space.allPairs, progressTotal: space.blocks.length }))) {
      throw new RunCancelled((await getRun(db, runId))?.cancelledBy ?? null);
    }
    const estimated = await estimator.estimate(framework, space, {
      signal,
      onProgress: (done, total, sofar) => {
        opts.onProgress?.(done, total, sofar);
        latest = { ...latest, done, total, ...(sofar ? { proposals: sofar.proposals, usage: sofar.usage } : {}) };
        // A UI polls the run: show blocks as they finish, without a write per block of a fast estimator.
        if (Date.now() - lastFlush >= 500) {
          lastFlush = Date.now();
          void flush();
        }
      },
      onBlock: async (outcome, sofar) => {
        await opts.onBlock?.(outcome, sofar);
        await insertRunBlock(db, runId, outcome);
        latest = { done: outcome.position + 1, total: latest?.total ?? space!.blocks.length, proposals: sofar.proposals, usage: sofar.usage, skipped: sofar.skipped };
        lastFlush = Date.now();
        await flush();
      },
    });
    clearInterval(timer);
    await writing;
    const { stored, proposals } = await store(estimated, { status: 'done', error: () => null });
    const run = (await getRun(db, runId))!;
    return { run, framework, space, proposals, stored, usage: estimated.usage, blocks: estimated.blocks ?? [], durationMs: Date.now() - started };
  } catch (e) {
    clearInterval(timer);
    await writing;
    const partial = e instanceof EstimateStopped ? e.partial : undefined;
    const cause = e instanceof EstimateStopped ? e.cause : e;
    const cancelled = cause instanceof RunCancelled || (stop.signal.aborted && stop.signal.reason instanceof RunCancelled);
    const message = cancelled ? (stop.signal.reason instanceof RunCancelled ? stop.signal.reason : (cause as RunCancelled)).message : runErrorMessage(cause);
    if (partial && framework) {
      const answeredBlocks = partial.blocks?.filter((b) => b.status !== 'skipped').length ?? 0;
      const keptOf = (stored: number) => (answeredBlocks ? ` (${stored} new suggestion${stored === 1 ? '' : 's'} from the ${answeredBlocks} block${answeredBlocks === 1 ? '' : 's'} answered kept)` : '');
      const { stored } = await store(partial, { status: cancelled ? 'cancelled' : 'failed', error: (n) => `${message}${keptOf(n)}` });
      const kept = keptOf(stored);
      if (cancelled) throw new ShirubeError('conflict', `${message}${kept}`);
      throw isShirubeError(cause) ? new ShirubeError(cause.code, `${cause.message}${kept}`, cause.field) : cause;
    }
    await endRun(db, runId, { ...noUsage(), status: cancelled ? 'cancelled' : 'failed', error: message, suggestions: 0, skippedBlocks: 0 });
    throw cancelled ? new ShirubeError('conflict', message) : cause;
  }
}
