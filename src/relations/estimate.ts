import type { Db } from '../store/db.js';
import { loadPackage } from '../store/case.js';
import { finishRun, insertRun, replaceSuggestions, type RunRow } from '../store/relations.js';
import { rowsToPackage, uuidv4 } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import { candidateSpace, type CandidateOptions, type CandidateSpace } from './candidates.js';
import type { EstimateContext, Estimator, Usage } from './estimator.js';
import { relationFramework, type FrameworkOptions } from './framework.js';
import type { Proposal, RelationFramework } from './model.js';

/** A stored framework as the estimators see it. */
export async function loadRelationFramework(db: Db, documentIdentifier: string, opts: FrameworkOptions = {}): Promise<RelationFramework> {
  const rows = await loadPackage(db, documentIdentifier);
  if (!rows) throw new ShirubeError('not_found', `No framework (CFDocument) ${documentIdentifier}`, 'framework');
  return relationFramework(rowsToPackage(rows), opts);
}

export interface RunOptions extends CandidateOptions, FrameworkOptions, EstimateContext {}

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

/** Runs an estimator on a stored framework and keeps its proposals as pending suggestions, with the run's provenance. */
export async function runEstimation(db: Db, documentIdentifier: string, estimator: Estimator, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const framework = await loadRelationFramework(db, documentIdentifier, opts);
  const space = candidateSpace(framework, opts);
  const runId = uuidv4();
  const params = { ...estimator.params, modes: space.modes, maxGradeGap: space.maxGradeGap, items: framework.items.length, ...(opts.itemTypes ? { itemTypes: opts.itemTypes } : {}) };
  await insertRun(db, { id: runId, documentIdentifier, estimator: estimator.name, model: estimator.model ?? null, params, candidatePairs: space.pairs.size, allPairs: space.allPairs });
  const { proposals, usage } = await estimator.estimate(framework, space, opts);
  const byId = new Map(framework.items.map((i) => [i.identifier, i]));
  let stored = 0;
  await db.transaction().execute(async (trx) => {
    stored = await replaceSuggestions(trx, documentIdentifier, estimator.name, estimator.model ?? null, proposals.map((p) => ({
      id: uuidv4(), documentIdentifier, originIdentifier: p.origin, destinationIdentifier: p.destination, associationType: p.type,
      domain: byId.get(p.destination)?.domainLabel ?? '', estimator: estimator.name, model: estimator.model ?? null,
      promptVersion: estimator.promptVersion ?? null, runId, confidence: Math.max(0, Math.min(1, p.confidence)), rationale: p.rationale ?? null,
    })));
    await finishRun(trx, runId, usage);
  });
  const run = { id: runId, documentIdentifier, estimator: estimator.name, model: estimator.model ?? null, params, candidatePairs: space.pairs.size, allPairs: space.allPairs, ...usage, startedAt: new Date(started), finishedAt: new Date() };
  return { run, framework, space, proposals, stored, usage, durationMs: Date.now() - started };
}
