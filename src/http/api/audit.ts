import type { FastifyInstance } from 'fastify';
import { canAdminister, canReviewFramework, readAuditLog, type AuditQuery } from '../../auth/index.js';
import { getDocument } from '../../store/case.js';
import { authorize } from '../plugins/auth.js';
import { errorSchema } from './auth.js';

const str = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, actor: { type: 'string' }, action: { type: 'string' },
    targetType: { type: 'string' }, targetId: { type: ['string', 'null'] }, details: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

/**
 * The audit log (`/api/audit`): administrators (an admin role, or a client with `case:admin`) read all of it;
 * reviewers and authors of a framework (and `case:write` clients) read the entries about that framework.
 */
export default async function auditRoutes(app: FastifyInstance) {
  app.get<{ Querystring: AuditQuery }>('/', {
    schema: {
      tags: ['Administration'],
      security: [{ oauth2: ['case:admin'] }, { oauth2: ['case:write'] }, { session: [] }],
      summary: 'Read the audit log, newest first: who did what to what, and when',
      description:
        'Filters: `framework` (entries about a CFDocument: its import, status, rubrics, relation runs, decisions and cancellations), `actor` (`user:<id>`, `client:<client_id>`, `cli:<user>`), ' +
        '`action` (e.g. `relation.change-type`, or a prefix `relation.*`), `since` (inclusive) and `until` (exclusive) as a date or a date-time with offset. ' +
        'Administrators read every entry; reviewers and authors of a framework only with `framework` set to it.',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          framework: str(200), actor: str(200), action: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+\\*?$' },
          since: str(40), until: str(40), limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
      response: {
        200: { type: 'object', properties: { total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' }, entries: { type: 'array', items: entrySchema } } },
        400: errorSchema, 401: errorSchema, 403: errorSchema,
      },
    },
  }, async (req) => {
    const fw = req.query.framework;
    const d = fw !== undefined && !canAdminister(req.principal) ? await getDocument(app.store.db, fw) : undefined;
    authorize(req, (p) => canAdminister(p) || (d !== undefined && canReviewFramework(p, { identifier: d.identifier, organizationId: d.organizationId })), fw === undefined ? 'read the audit log (administrators; reviewers of a framework with framework=)' : 'read the audit log of this framework');
    const r = await readAuditLog(app.store.db, req.query);
    return { ...r, entries: r.entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
  });
}
