import type { FastifyInstance } from 'fastify';
import { ShirubeError } from '../../errors.js';
import { deleteResource, getResource, importResourcesCsv, listResources, registerResource, RESOURCE_TYPES, updateResource, type ResourceBody } from '../../progress/index.js';
import { errorSchema } from './auth.js';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { oauth2: ['resources:write'] }, { oauth2: ['case:admin'] }];
const tags = ['Resources'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const body = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'url', 'items'],
  properties: {
    title: { type: 'string', maxLength: 300 },
    url: { type: 'string', maxLength: 2000, description: 'http or https only' },
    type: { type: 'string', enum: [...RESOURCE_TYPES], default: 'other' },
    language: { type: 'string', maxLength: 35, default: 'ja', description: 'BCP 47 language tag (ja, en)' },
    provider: { type: ['string', 'null'], maxLength: 200 },
    items: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 1000 }, description: 'The CFItems it is aligned to: UUIDs, CASE URIs (or /uri/ URLs), or Course of Study Codes' },
  },
} as const;

/**
 * Learning resources aligned to CFItems (docs/resources.md): read by anyone signed in, registered by teachers, the
 * frameworks' authors, administrators and API clients with resources:write; every write audited.
 */
export default async function resourceRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  const url = () => app.config.publicUrl;
  const signedIn = (p: { kind: string }) => {
    if (p.kind === 'anonymous') throw new ShirubeError('unauthorized', 'Sign in (or send a bearer token) to read learning resources');
  };

  app.get<{ Querystring: { item?: string; limit: number; offset: number } }>('/', {
    schema: {
      tags,
      security,
      summary: 'Learning resources, or those aligned to one CFItem (UUID, URI or Course of Study Code), by title; each with its LRMI educationalAlignment',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { item: { type: 'string', minLength: 1, maxLength: 1000 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } },
      },
      response: { ...errors },
    },
  }, async (req) => {
    signedIn(req.principal);
    return listResources(db(), req.query, url());
  });

  app.post<{ Body: ResourceBody }>('/', {
    schema: { tags, security, summary: 'Register a resource aligned to CFItems (201; 200 when the caller’s resource with the same URL is replaced)', body, response: { ...errors } },
  }, async (req, reply) => {
    const { created, resource } = await registerResource(db(), req.principal, req.body, url());
    return reply.code(created ? 201 : 200).send(resource);
  });

  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, b, done) => done(null, b));
  app.post<{ Body: string }>('/import', {
    schema: {
      tags,
      security,
      summary: 'Register resources from CSV: title,url,type,codes[,language,provider] (all or nothing; a bad row is a 400 naming its line)',
      description: 'Send the CSV as the body with Content-Type: text/csv. `codes`: Course of Study Codes or CFItem UUIDs separated by spaces or semicolons.',
      response: { ...errors },
    },
  }, async (req, reply) => {
    if (typeof req.body !== 'string' || !req.body.trim()) throw new ShirubeError('invalid_request', '(body): send the CSV with Content-Type: text/csv', 'body');
    return reply.code(201).send(await importResourcesCsv(db(), req.principal, req.body, url()));
  });

  app.get<{ Params: { id: string } }>('/:id', {
    schema: { tags, security, summary: 'One learning resource', params: idParams, response: { ...errors } },
  }, async (req) => {
    signedIn(req.principal);
    return getResource(db(), req.params.id, url());
  });

  app.put<{ Params: { id: string }; Body: ResourceBody }>('/:id', {
    schema: { tags, security, summary: 'Change a resource (whoever registered it, the aligned frameworks’ authors, administrators)', params: idParams, body, response: { ...errors } },
  }, async (req) => updateResource(db(), req.principal, req.params.id, req.body, url()));

  app.delete<{ Params: { id: string } }>('/:id', {
    schema: { tags, security, summary: 'Remove a resource (whoever registered it, the aligned frameworks’ authors, administrators)', params: idParams, response: { ...errors } },
  }, async (req, reply) => {
    await deleteResource(db(), req.principal, req.params.id);
    return reply.code(204).send();
  });
}
