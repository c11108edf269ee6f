import type { FastifyInstance } from 'fastify';
import { adoptionStatuses } from '../../case/model.js';
import { searchFilters, searchItems, type SearchQuery } from '../../case/search.js';
import { canSee } from '../framework-access.js';
import { errorSchema } from './auth.js';

const tags = ['Search'];
const security: { [scheme: string]: string[] }[] = [{}, { session: [] }, { oauth2: ['case:read'] }];
const text = { type: 'string', minLength: 1, maxLength: 200 } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const framework = {
  type: 'object',
  properties: { identifier: { type: 'string' }, title: { type: 'string' }, adoptionStatus: { type: ['string', 'null'] }, subject: strings },
} as const;
const hit = {
  type: 'object',
  properties: {
    identifier: { type: 'string', description: 'The CFItem' },
    humanCodingScheme: { type: ['string', 'null'] },
    fullStatement: { type: 'string' },
    abbreviatedStatement: { type: ['string', 'null'] },
    educationLevel: strings,
    CFItemType: { type: ['string', 'null'] },
    uri: { type: 'string', description: 'Its resolvable URI (/uri/{identifier}: HTML for people, CASE JSON for machines)' },
    framework,
    match: { type: 'string', enum: ['code', 'code-prefix', 'text'], description: 'code: its code is the query; code-prefix: its code starts with it; text: its text holds every word' },
  },
} as const;

/**
 * GET /api/search: CFItems across every framework the caller may see (docs/search.md); anonymous callers see the
 * public frameworks, private drafts only those who may read them.
 */
export default async function searchRoutes(app: FastifyInstance) {
  app.get<{ Querystring: SearchQuery }>('/', {
    schema: {
      tags,
      security,
      summary: 'Search CFItems across frameworks: Japanese and English words, humanCodingScheme or Course of Study Code; by status, subject, grade, framework',
      description:
        'Every word of `q` must occur in the item (its code, statements, keywords, notes or type; Japanese without spaces is matched as written, full-width and half-width alike). ' +
        'Items whose code is `q` come first, then those whose code starts with it, then the rest by framework and place. Without `q`, the filters alone list items. ' +
        'Pages: pass the answer\'s `nextCursor` as `cursor`.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          q: { type: 'string', maxLength: 200 },
          status: { type: 'string', enum: [...adoptionStatuses], description: "The framework's adoptionStatus" },
          subject: { ...text, description: 'One of the framework’s subjects (CFDocument.subject), e.g. 算数' },
          grade: { type: 'string', minLength: 1, maxLength: 10, description: 'An educationLevel of the item: 01–12 (3 reads as 03), KG…' },
          framework: { ...text, description: 'A framework (CFDocument identifier)' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          cursor: { type: 'string', minLength: 1, maxLength: 500 },
        },
      },
      response: {
        200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: hit }, nextCursor: { type: ['string', 'null'] } } },
        400: errorSchema,
        404: errorSchema,
      },
    },
  }, async (req) => searchItems(app.store.db, (d) => canSee(req.principal, d), req.query, app.config.publicUrl));

  app.get('/filters', {
    schema: {
      tags,
      security,
      summary: 'What the search filters may be set to: the frameworks the caller may see, their statuses and subjects, the grades their items name',
      response: {
        200: {
          type: 'object',
          properties: { frameworks: { type: 'array', items: framework }, statuses: strings, subjects: strings, grades: strings },
        },
      },
    },
  }, async (req) => searchFilters(app.store.db, (d) => canSee(req.principal, d)));
}
