import type { FastifyInstance } from 'fastify';
import { actorOf, canAuthorFramework, canAdminister, canReadPrivate, canReviewFramework, type Principal } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import { getDocument } from '../../store/case.js';
import { BackgroundRuns, cancelRun, candidateModes, estimatorNames, failInterruptedRuns, llmProviders, providerStatus, readRun, readRunBlocks, readRuns, reviewLanguages, type RunRequest } from '../../relations/index.js';
import type { RunBlockRow, RunRow } from '../../store/relations.js';
import { authorize } from '../plugins/auth.js';
import { anyObject, errors, fwParams, reviewed, security, tags } from './relations.js';

/**
 * A run as the UI polls it: state, progress, what went wrong (a message for the user), skipped blocks, tokens and
 * cost; with `blocks`, each block's outcome.
 */
const runView = (r: RunRow, blocks?: RunBlockRow[]) => ({
  id: r.id, framework: r.documentIdentifier, targetFramework: typeof r.params['targetFramework'] === 'string' ? r.params['targetFramework'] : null, estimator: r.estimator, model: r.model, status: r.status, error: r.error, params: r.params,
  progress: { done: r.progressDone, total: r.progressTotal }, suggestions: r.suggestions, skippedBlocks: r.skippedBlocks, candidatePairs: r.candidatePairs, allPairs: r.allPairs,
  requests: r.requests, cachedRequests: r.cachedRequests, inputTokens: r.inputTokens, outputTokens: r.outputTokens, costUsd: r.costUsd,
  startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null, startedBy: r.startedBy,
  cancelRequested: r.cancelRequestedAt !== null, cancelledBy: r.cancelledBy,
  ...(blocks ? { blocks } : {}),
});
const runParams = { type: 'object', required: ['framework', 'id'], additionalProperties: false, properties: { ...fwParams.properties, id: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

/** Authors and reviewers (of anything), admins and case:write clients may see which LLM providers are configured. */
const worksOnRelations = (p: Principal) =>
  canAdminister(p) || (p.kind === 'client' && p.scopes.includes('case:write')) || (p.kind === 'user' && p.roles.some((r) => r.role === 'author' || r.role === 'reviewer'));

/**
 * Estimation runs in the server's background (`/api/relations/...`): authors of the framework and admins start one
 * (202), reviewers poll it. Registered with the `/relations` prefix.
 */
export default async function relationRunRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  const runs = new BackgroundRuns({ db: app.store.db, llm: app.config.llm, onError: (err, run) => app.log.error({ err, run }, 'Estimation run failed') });
  // Runs of a process that was killed or restarted show as failed ("start it again"), not as running forever.
  app.addHook('onReady', async () => {
    const n = await failInterruptedRuns(db());
    if (n) app.log.warn({ runs: n }, 'Estimation runs interrupted by a restart marked failed');
  });
  app.addHook('onClose', async () => runs.close());

  app.get('/providers', {
    schema: { tags, security, summary: 'Which LLM providers the server has a key (or URL) for; never the keys', response: { 200: anyObject, ...errors } },
  }, async (req) => {
    authorize(req, worksOnRelations, 'see the LLM providers');
    return { providers: providerStatus(app.config.llm) };
  });

  app.post<{ Params: { framework: string }; Body: RunRequest }>('/:framework/runs', {
    schema: {
      tags, security,
      summary: 'Start an estimation run (offline, tfidf or llm) in the background: 202 with the run to poll; one run per framework at a time (409). With targetFramework: a cross-subject run (pairs between the two frameworks only; suggestions in this framework\'s queue)',
      params: fwParams,
      body: {
        type: 'object', required: ['estimator'], additionalProperties: false,
        properties: {
          estimator: { type: 'string', enum: estimatorNames }, provider: { type: 'string', enum: llmProviders },
          model: { type: 'string', minLength: 1, maxLength: 200, pattern: '^\\S+$' },
          modes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: candidateModes } }, maxGradeGap: { type: 'integer', minimum: 0, maximum: 20 },
          targetFramework: { type: 'string', minLength: 1, maxLength: 200 },
          language: { type: 'string', enum: reviewLanguages, description: "The rationales' language (the reviewer's); default the framework's" },
          timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600, description: 'One LLM request\'s time limit; default SHIRUBE_LLM_TIMEOUT_SECONDS (120)' },
          maxOutputTokens: { type: 'integer', minimum: 512, maximum: 65536, description: "The longest LLM answer asked for; default the model's (at most 8,192). Blocks are cut to fit it" },
        },
      },
      response: { 202: anyObject, ...errors },
    },
    // Who asks comes before what they ask: nobody gets a 401, not a list of the body's faults.
    preValidation: async (req) => void (await reviewed(req, 'start estimation runs on this framework', canAuthorFramework)),
  }, async (req, reply) => {
    const target = req.body.targetFramework;
    if (target !== undefined) {
      // The other framework must be one the caller may read: a Private Draft they may not see is unknown.
      const d = await getDocument(db(), target);
      if (!d || (d.adoptionStatus === 'Private Draft' && !canReadPrivate(req.principal, { identifier: d.identifier, organizationId: d.organizationId }))) {
        throw new ShirubeError('invalid_request', `targetFramework: no framework (CFDocument) ${target}`, 'targetFramework');
      }
    }
    const run = await runs.start(req.params.framework, req.body, { actor: actorOf(req.principal) });
    req.log.info({ framework: req.params.framework, run: run.id, estimator: run.estimator, ...(target ? { targetFramework: target } : {}) }, 'Estimation run queued');
    return reply.code(202).header('location', `${req.url.split('?')[0]}/${run.id}`).send(runView(run));
  });

  app.get<{ Params: { framework: string } }>('/:framework/runs', {
    schema: { tags, security, summary: "A framework's estimation runs, newest first (state, candidate space, requests, tokens, cost), and whether the caller may start one", params: fwParams, response: { 200: anyObject, ...errors } },
  }, async (req) => {
    const d = await reviewed(req, 'review relations of this framework');
    return { canStart: canAuthorFramework(req.principal, { identifier: d.identifier, organizationId: d.organizationId }), runs: (await readRuns(db(), req.params.framework)).map((r) => runView(r)) };
  });

  app.get<{ Params: { framework: string; id: string } }>('/:framework/runs/:id', {
    schema: {
      tags, security,
      summary: 'An estimation run: queued, running, done (perhaps with skipped blocks), failed or cancelled; progress in blocks, suggestions so far, tokens and cost, the error, and each block\'s outcome (ok, retried or skipped with its reason)',
      params: runParams,
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    await reviewed(req, 'review relations of this framework', canReviewFramework);
    const run = await readRun(db(), req.params.framework, req.params.id);
    return runView(run, await readRunBlocks(db(), req.params.framework, run.id));
  });

  app.post<{ Params: { framework: string; id: string } }>('/:framework/runs/:id/cancel', {
    schema: {
      tags, security,
      summary: 'Cancel a queued or running estimation run (those who may start runs): a queued run at once, a running one at its next block (its request aborted on this instance) or within 5 s elsewhere; the suggestions of its finished blocks are kept. 409 when it already ended',
      params: runParams,
      response: { 202: anyObject, ...errors },
    },
    preValidation: async (req) => void (await reviewed(req, 'cancel estimation runs of this framework', canAuthorFramework)),
  }, async (req, reply) => {
    const run = await cancelRun(db(), req.params.framework, req.params.id, { actor: actorOf(req.principal) }, runs);
    req.log.info({ framework: req.params.framework, run: run.id }, 'Estimation run cancel requested');
    return reply.code(202).send(runView(run));
  });
}
