import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canAdminister } from '../../auth/index.js';
import { eraseLearner, exportLearner, findLearnerByAgent, learnerEvidence } from '../../lrs/index.js';
import { ShirubeError } from '../../errors.js';
import { authorize } from '../plugins/auth.js';
import { errorSchema } from './auth.js';
import { progressPersonalData } from '../../progress/index.js';
import { badgesPersonalData, obApiPersonalData } from '../../badges/index.js';
import { requireLearnerAccess } from '../../progress/index.js';
import { viewerOf } from './progress.js';

const security: { [scheme: string]: string[] }[] = [{ oauth2: ['case:admin'] }, { session: [] }];
const tags = ['Learners'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const learnerParams = { type: 'object', required: ['learnerId'], properties: { learnerId: { type: 'string', maxLength: 100 } } } as const;

/**
 * Learners and their evidence (`/api/learners`): the evidence and rollups per CFItem that the learning map and
 * badges build on, for the learner's teachers (and the learner), and the personal-data operations (export,
 * erasure) and agent look-up, for administrators.
 */
export default async function learnerRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  const adminOnly = async (req: FastifyRequest) => authorize(req, canAdminister, 'look up, export or erase learners’ records');

  app.get<{ Querystring: { agent: string } }>('/', {
    onRequest: adminOnly,
    schema: {
      tags,
      security,
      summary: 'Find the learner an xAPI Agent maps to',
      querystring: { type: 'object', additionalProperties: false, required: ['agent'], properties: { agent: { type: 'string', maxLength: 4000 } } },
      response: { 200: { type: 'object', properties: { learnerId: { type: 'string' } } }, ...errors },
    },
  }, async (req) => {
    let agent: unknown;
    try {
      agent = JSON.parse(req.query.agent);
    } catch {
      throw new ShirubeError('invalid_request', 'agent: must be an xAPI Agent as JSON', 'agent');
    }
    return { learnerId: await findLearnerByAgent(db(), agent) };
  });

  app.get<{ Params: { learnerId: string }; Querystring: { itemId?: string } }>('/:learnerId/evidence', {
    // 401 for nobody; a teacher of one of the learner's classes, the learner, or an admin; else 403.
    onRequest: async (req) => requireLearnerAccess(db(), viewerOf(req.principal), req.params.learnerId),
    schema: {
      tags,
      security,
      summary: 'A learner’s evidence rows and rollups (attempts, correct, score sum, first/last time, per-day series), optionally for one CFItem',
      params: learnerParams,
      querystring: { type: 'object', additionalProperties: false, properties: { itemId: { type: 'string', maxLength: 100 } } },
    },
  }, async (req) => learnerEvidence(db(), req.params.learnerId, req.query.itemId));

  app.get<{ Params: { learnerId: string } }>('/:learnerId/export', {
    onRequest: adminOnly,
    schema: { tags, security, summary: 'Everything held about a learner: identifiers, statements, documents, evidence', params: learnerParams },
  }, async (req) => exportLearner(db(), req.params.learnerId, [obApiPersonalData, progressPersonalData, badgesPersonalData]));

  app.delete<{ Params: { learnerId: string } }>('/:learnerId', {
    onRequest: adminOnly,
    schema: { tags, security, summary: 'Erase a learner: statements, documents, evidence, rollups and identifiers', params: learnerParams, response: { 200: { type: 'object', properties: { statements: { type: 'integer' }, documents: { type: 'integer' }, rosterEntries: { type: 'integer' }, enrollments: { type: 'integer' }, masteryRows: { type: 'integer' }, accounts: { type: 'integer' }, credentialsRevoked: { type: 'integer' }, candidates: { type: 'integer' }, authorizations: { type: 'integer' }, externalCredentials: { type: 'integer' } } }, ...errors } },
  }, async (req) => eraseLearner(db(), req.params.learnerId, actorOf(req.principal), [obApiPersonalData, progressPersonalData, badgesPersonalData]));
}
