import type { FastifyInstance } from 'fastify';
import { actorOf, canAuthorFramework, canAdminister, canReadPrivate, canReviewFramework, type Principal } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import { getDocument } from '../../store/case.js';
import { BackgroundRuns, candidateModes, estimatorNames, failInterruptedRuns, llmProviders, providerStatus, readRun, readRuns, type RunRequest } from '../../relations/index.js';
import type { RunRow } from '../../store/relations.js';
import { authorize } from '../plugins/auth.js';
import { anyObject, errors, fwParams, reviewed, security, tags } from './relations.js';

/** A run as the UI polls it: state, progress, what went wrong (a message for the user), tokens and cost. */
const runView = (r: RunRow) => ({
  id: r.id, framework: r.documentIdentifier, targetFramework: typeof r.params['targetFramework'] === 'string' ? r.params['targetFramework'] : null, estimator: r.estimator, model: r.model, status: r.status, error: r.error, params: r.params,
  progress: { done: r.progressDone, total: r.progressTotal }, suggestions: r.suggestions, candidatePairs: r.candidatePairs, allPairs: r.allPairs,
  requests: r.requests, cachedRequests: r.cachedRequests, inputTokens: r.inputTokens, outputTokens: r.outputTokens, costUsd: r.costUsd,
  startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null,
});

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
    return { canStart: canAuthorFramework(req.principal, { identifier: d.identifier, organizationId: d.organizationId }), runs: (await readRuns(db(), req.params.framework)).map(runView) };
  });

  app.get<{ Params: { framework: string; id: string } }>('/:framework/runs/:id', {
    schema: {
      tags, security, summary: 'An estimation run: queued, running, done or failed; progress in blocks, suggestions so far, tokens and cost, and the error',
      params: { type: 'object', required: ['framework', 'id'], additionalProperties: false, properties: { ...fwParams.properties, id: { type: 'string', minLength: 1, maxLength: 100 } } },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    await reviewed(req, 'review relations of this framework', canReviewFramework);
    return runView(await readRun(db(), req.params.framework, req.params.id));
  });
}
