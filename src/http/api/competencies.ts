import type { FastifyInstance } from 'fastify';
import { actorOf, canReadCompetencies } from '../../auth/index.js';
import { competencyAssertions } from '../../competency/index.js';
import { ShirubeError, isShirubeError } from '../../errors.js';
import { findLearnerByAgent } from '../../lrs/index.js';
import { learnerOfUser, requireLearnerAccess } from '../../progress/index.js';
import { errorSchema } from './auth.js';
import { viewerOf } from './progress.js';

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const day = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', description: 'YYYY-MM-DD in SHIRUBE_TIMEZONE' } as const;
type Query = { learner?: string; agent?: string; item?: string; framework?: string; asOf?: string };

/**
 * Competency reporting (`/api/competencies`, docs/competency-reporting.md): does a learner hold a competency (a
 * CFItem, or each content item of a framework), with the evidence. Authorised systems (competency:read clients)
 * and administrators ask about anyone; a teacher about the learners of their classes; a learner about themselves.
 */
export default async function competencyRoutes(app: FastifyInstance) {
  const db = () => app.store.db;

  /** The learner asked about, after the caller may see them: 401, then 403 (also for an Agent they may not look up), then 404. */
  async function learnerOf(req: { principal: Parameters<typeof viewerOf>[0] }, q: Query): Promise<string> {
    if (q.learner !== undefined && q.agent !== undefined) throw new ShirubeError('invalid_request', 'agent: give learner or agent, not both', 'agent');
    const p = req.principal;
    if (p.kind === 'anonymous') throw new ShirubeError('unauthorized', 'Sign in, or send a bearer token of a client with competency:read');
    const privileged = canReadCompetencies(p);
    if (!privileged && p.kind === 'client') throw new ShirubeError('forbidden', 'An API client needs the competency:read scope to ask about learners’ competencies');
    const viewer = privileged ? null : viewerOf(p);
    let learnerId = q.learner;
    if (q.agent !== undefined) {
      let agent: unknown;
      try {
        agent = JSON.parse(q.agent);
      } catch {
        throw new ShirubeError('invalid_request', 'agent: must be an xAPI Agent as JSON', 'agent');
      }
      try {
        learnerId = await findLearnerByAgent(db(), agent);
      } catch (e) {
        // Whether an Agent is known is for those who may see any learner.
        if (!privileged && isShirubeError(e) && e.code === 'not_found') throw new ShirubeError('forbidden', 'You may ask only about your own competencies, or your classes’ learners', 'agent');
        throw e;
      }
    }
    if (learnerId === undefined) {
      learnerId = (viewer?.userId && (await learnerOfUser(db(), viewer.userId))) || undefined;
      if (!learnerId) throw new ShirubeError('invalid_request', 'learner: give the learner (its id, or agent: its xAPI Agent)', 'learner');
    }
    if (viewer) await requireLearnerAccess(db(), viewer, learnerId);
    return learnerId;
  }

  app.get<{ Querystring: Query }>('/assertions', {
    schema: {
      tags: ['Competencies'],
      security: [{ oauth2: ['competency:read'] }, { session: [] }],
      summary: 'Does a learner hold a competency? CASS-style assertions (holds, level, confidence, since, evidence: counted statements and aligned badges) for one CFItem or every content item of a framework',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          learner: { ...id, description: 'The LRS learner id' },
          agent: { type: 'string', maxLength: 4000, description: 'Or the learner as an xAPI Agent (JSON), as statements name them' },
          item: { ...id, maxLength: 2000, description: 'A CFItem: UUID, CASE URI, /uri/ URL or 16-digit Course of Study Code' },
          framework: { ...id, description: 'Or a framework (CFDocument identifier): every content item' },
          asOf: day,
        },
      },
      response: { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    const learnerId = await learnerOf(req, req.query);
    return competencyAssertions(await app.store.reader(), { learnerId, item: req.query.item, framework: req.query.framework, asOf: req.query.asOf }, {
      publicUrl: app.config.publicUrl,
      timeZone: app.config.timeZone,
      actor: actorOf(req.principal),
      auditDb: db(),
    });
  });
}
