import type { LlmSettings } from '../config.js';
import type { Db } from '../store/db.js';
import { audit } from '../store/auth.js';
import { failRun, failStaleRuns, getRun, insertRun, listRunBlocks, listRuns, requestCancel, type RunBlockRow, type RunRow } from '../store/relations.js';
import { getFramework, uuidv4 } from '../case/index.js';
import { isShirubeError, ShirubeError } from '../errors.js';
import { candidateModes, type CandidateMode } from './candidates.js';
import { checkEstimatorChoice, estimatorFor, runErrorMessage, runEstimation, RunCancelled, STALE_MS, type EstimatorChoice } from './estimate.js';

export interface RunRequest extends EstimatorChoice {
  modes?: CandidateMode[] | undefined;
  maxGradeGap?: number | undefined;
  /** A cross-subject run: relations between the framework's items and this other framework's (cross.ts). */
  targetFramework?: string | undefined;
}

const INTERRUPTED = 'Interrupted by a restart of the server; start it again';

/** Runs that stopped sending heartbeats (their server was killed or restarted) become failed; returns how many. */
export async function failInterruptedRuns(db: Db, opts: { documentIdentifier?: string; now?: Date } = {}): Promise<number> {
  return failStaleRuns(db, new Date((opts.now ?? new Date()).getTime() - STALE_MS), INTERRUPTED, opts.documentIdentifier);
}

/** A run as its status is read: interrupted runs are failed first, so that a dead run never shows as running. */
export async function readRun(db: Db, documentIdentifier: string, id: string): Promise<RunRow> {
  await failInterruptedRuns(db, { documentIdentifier });
  const run = await getRun(db, id);
  if (!run || run.documentIdentifier !== documentIdentifier) throw new ShirubeError('not_found', `No estimation run ${id} in framework ${documentIdentifier}`, 'id');
  return run;
}

/** What happened to each block of a run, in order. */
export async function readRunBlocks(db: Db, documentIdentifier: string, id: string): Promise<RunBlockRow[]> {
  await readRun(db, documentIdentifier, id);
  return listRunBlocks(db, id);
}

/**
 * Asks a run to stop (audited): a queued run is cancelled at once; a running one, wherever it runs (this process, another
 * instance, the CLI on the same database), stops at its next block or heartbeat (within 5 s) and keeps what its finished
 * blocks gave. A run that already ended is a conflict.
 */
export async function cancelRun(db: Db, documentIdentifier: string, id: string, by: { actor: string }, local?: BackgroundRuns): Promise<RunRow> {
  const run = await readRun(db, documentIdentifier, id);
  if (run.status !== 'queued' && run.status !== 'running') throw new ShirubeError('conflict', `Run ${id} is ${run.status}: only a queued or running run can be cancelled`, 'id');
  await requestCancel(db, id, by.actor);
  local?.abort(id, new RunCancelled(by.actor));
  await audit(db, { actor: by.actor, action: 'relation.run.cancel', targetType: 'estimation_run', targetId: id, details: { document: documentIdentifier, status: run.status } });
  return (await getRun(db, id))!;
}

export async function readRuns(db: Db, documentIdentifier: string): Promise<RunRow[]> {
  await failInterruptedRuns(db, { documentIdentifier });
  return listRuns(db, documentIdentifier);
}

/**
 * Estimation runs in the background of a server process: `start` queues a run (one per framework at a time, across
 * instances) and returns at once; the run then works while its state is polled. `close` stops this process's runs
 * between blocks and marks them failed ("start it again").
 */
export class BackgroundRuns {
  private readonly jobs = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: { db: Db; llm: LlmSettings; onError?: (e: unknown, runId: string) => void }) {}

  async start(documentIdentifier: string, r: RunRequest, by: { actor: string }): Promise<RunRow> {
    const { db } = this.deps;
    checkEstimatorChoice(r);
    if (r.modes && (!r.modes.length || r.modes.some((m) => !(candidateModes as readonly string[]).includes(m)))) throw new ShirubeError('invalid_request', `modes: some of ${candidateModes.join(', ')}`, 'modes');
    if (r.maxGradeGap !== undefined && (!Number.isInteger(r.maxGradeGap) || r.maxGradeGap < 0 || r.maxGradeGap > 20)) throw new ShirubeError('invalid_request', 'maxGradeGap: an integer from 0 to 20', 'maxGradeGap');
    await getFramework(db, documentIdentifier);
    const target = r.targetFramework;
    if (target !== undefined) {
      if (target === documentIdentifier) throw new ShirubeError('invalid_request', 'targetFramework: must be another framework than the one estimated', 'targetFramework');
      if (r.modes) throw new ShirubeError('invalid_request', 'modes: a run with a targetFramework has its own candidate space (pairs across the two frameworks); leave modes out', 'modes');
      await getFramework(db, target).catch((e: unknown) => {
        if (isShirubeError(e) && e.code === 'not_found') throw new ShirubeError('invalid_request', `targetFramework: no framework (CFDocument) ${target}`, 'targetFramework');
        throw e;
      });
    }
    // A run whose server died must not block the framework.
    await failInterruptedRuns(db, { documentIdentifier });
    const id = uuidv4();
    const model = r.estimator === 'llm' ? `${r.provider ?? 'openai'}:${r.model!.trim()}` : null;
    const llm = r.estimator === 'llm' ? { provider: r.provider ?? 'openai', model: r.model!.trim(), ...(r.language ? { language: r.language } : {}), ...(r.timeoutSeconds ? { timeoutSeconds: r.timeoutSeconds } : {}), ...(r.maxOutputTokens ? { maxOutputTokens: r.maxOutputTokens } : {}) } : {};
    const params = { ...llm, ...(r.modes ? { modes: r.modes } : {}), ...(r.maxGradeGap !== undefined ? { maxGradeGap: r.maxGradeGap } : {}), ...(target ? { targetFramework: target } : {}) };
    await insertRun(db, { id, documentIdentifier, estimator: r.estimator, model, params, status: 'queued', startedBy: by.actor });
    await audit(db, { actor: by.actor, action: 'relation.run', targetType: 'estimation_run', targetId: id, details: { document: documentIdentifier, estimator: r.estimator, ...(model ? { model } : {}), ...(target ? { targetFramework: target } : {}) } });
    const controller = new AbortController();
    const done = (async () => {
      // After the caller has its answer (202): the run is queued until then.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const estimator = estimatorFor(r, this.deps);
        await runEstimation(db, documentIdentifier, estimator, { runId: id, modes: r.modes, maxGradeGap: r.maxGradeGap, targetFramework: target, signal: controller.signal });
      } catch (e) {
        await failRun(db, id, runErrorMessage(e)).catch(() => {});
        if (!isShirubeError(e) && !controller.signal.aborted) this.deps.onError?.(e, id);
      } finally {
        this.jobs.delete(id);
      }
    })();
    this.jobs.set(id, { controller, done });
    return (await getRun(db, id))!;
  }

  /** Stops this process's job of a run at once (its request is aborted), if it has it. */
  abort(id: string, reason: unknown): void {
    this.jobs.get(id)?.controller.abort(reason);
  }

  async close(): Promise<void> {
    const jobs = [...this.jobs.values()];
    for (const j of jobs) j.controller.abort();
    await Promise.allSettled(jobs.map((j) => j.done));
  }
}
