import type { FastifyInstance } from 'fastify';
import { FailureLimiter } from '../../auth/index.js';
import { alignmentCsv, alignmentStatuses, checkAlignment, jsonReferenceList, parseFailOn, parseReferenceList } from '../../case/index.js';
import { ShirubeError } from '../../errors.js';
import { canSee } from '../framework-access.js';
import { errorSchema } from './auth.js';

/** Checks an address without credentials may run per hour, and the lines of each. */
export const ANONYMOUS_CHECKS_PER_HOUR = 30;
export const ANONYMOUS_MAX_LINES = 2_000;
/** Checks an API client or signed-in user may run per hour, and the lines of each. */
export const CHECKS_PER_HOUR = 600;
export const MAX_LINES = 20_000;

const statuses = alignmentStatuses.join(', ');
const referenceList = { type: 'string', description: 'One UUID, CASE URI or Course of Study Code a line, or CSV with a header (see `column`)' } as const;

/**
 * The alignment check (docs/suppliers.md#alignment-check): a vendor's list of CFItem references against the
 * frameworks the caller may read, answered as JSON or CSV; with failOn, 422 when a line has one of those statuses so
 * that `curl --fail` and CI jobs fail.
 */
export default async function alignmentRoutes(app: FastifyInstance) {
  const anonymousChecks = new FailureLimiter(app.store.db, { bucket: 'alignment-anonymous', max: ANONYMOUS_CHECKS_PER_HOUR, windowMs: 3_600_000 });
  const checks = new FailureLimiter(app.store.db, { bucket: 'alignment', max: CHECKS_PER_HOUR, windowMs: 3_600_000 });
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post<{ Body: unknown; Querystring: { format?: 'json' | 'csv'; failOn?: string; column?: string } }>('/check', {
    schema: {
      tags: ['Suppliers'],
      security: [{}, { oauth2: [] }, { session: [] }],
      summary: `Alignment check: each CFItem reference of a list is ${statuses}, with the replacement of a replaced one; JSON or CSV`,
      description:
        `Anyone may check against the public frameworks (at most ${ANONYMOUS_CHECKS_PER_HOUR} checks of ${ANONYMOUS_MAX_LINES} lines an hour per address); ` +
        `API clients and signed-in users also against the Private Draft frameworks they may read (${CHECKS_PER_HOUR} checks of ${MAX_LINES} lines an hour). ` +
        'Send text/csv or text/plain (one reference a line, or CSV with a header), or JSON (an array of strings, or {"references": [...]}). ' +
        'The answer is CSV with `?format=csv` or `Accept: text/csv`, else JSON. `failOn=unknown,replaced`: the answer is 422 (same report) when a line has one of them.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          format: { type: 'string', enum: ['json', 'csv'] },
          failOn: { type: 'string', maxLength: 100, description: `Comma-separated statuses that fail the check (${statuses})` },
          column: { type: 'string', maxLength: 200, description: 'The CSV column holding the references: its header, or its number from 1' },
        },
      },
      body: {
        content: {
          'text/csv': { schema: referenceList },
          'text/plain': { schema: referenceList },
          'application/json': {
            schema: {
              oneOf: [
                { type: 'array', minItems: 1, items: { type: 'string', maxLength: 1000 } },
                { type: 'object', additionalProperties: false, required: ['references'], properties: { references: { type: 'array', minItems: 1, items: { type: 'string', maxLength: 1000 } } } },
              ],
            },
          },
        },
      },
      response: { 400: errorSchema, 401: errorSchema, 413: errorSchema, 429: errorSchema },
    },
    config: { anonymous: true },
  }, async (req, reply) => {
    const p = req.principal;
    const anonymous = p.kind === 'anonymous';
    const key = p.kind === 'client' ? `client:${p.clientId}` : p.kind === 'user' ? `user:${p.userId}` : req.ip;
    const wait = await (anonymous ? anonymousChecks : checks).take(key);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      throw new ShirubeError('busy', `Too many alignment checks (${anonymous ? ANONYMOUS_CHECKS_PER_HOUR : CHECKS_PER_HOUR} an hour); try again in ${Math.ceil(wait / 60)} minute(s)${anonymous ? ', or use an API client' : ''}`);
    }
    const failOn = parseFailOn(req.query.failOn);
    const lines = typeof req.body === 'string' ? parseReferenceList(req.body, req.query.column) : jsonReferenceList(req.body);
    const max = anonymous ? ANONYMOUS_MAX_LINES : MAX_LINES;
    if (lines.length > max) {
      throw new ShirubeError('payload_too_large', `(body): ${lines.length} references; at most ${max} a check${anonymous ? ' without credentials (API clients may send more)' : ''}`, 'body');
    }
    const report = await checkAlignment(app.store.db, lines, { publicUrl: app.config.publicUrl, canSee: (d) => canSee(p, d), failOn });
    reply.code(report.failed > 0 ? 422 : 200);
    const csv = req.query.format === 'csv' || (req.query.format === undefined && /\btext\/csv\b/.test(req.headers.accept ?? ''));
    if (!csv) return reply.send(report);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="alignment-report.csv"')
      .send(alignmentCsv(report));
  });
}
