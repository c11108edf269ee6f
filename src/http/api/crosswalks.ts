import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canAuthorFramework } from '../../auth/index.js';
import { adoptionStatuses } from '../../case/model.js';
import { ShirubeError, isShirubeError } from '../../errors.js';
import {
  addLink, createCrosswalk, crosswalkLinks, crosswalkOf, crosswalkTypes, listCrosswalks, removeLink, retypeLink, suggestMatches, type Crosswalk, type CrosswalkType,
} from '../../crosswalks/index.js';
import { loadRelationFramework } from '../../relations/estimate.js';
import type { AssociationRow } from '../../store/case.js';
import { authorize } from '../plugins/auth.js';
import { authored, canSee, mayImport, organizationOf, ref, visible } from '../framework-access.js';
import { errorSchema } from './auth.js';

const tags = ['Crosswalks'];
const security: { [scheme: string]: string[] }[] = [{ oauth2: ['case:write'] }, { session: [] }];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

const link = (a: AssociationRow) => ({
  identifier: a.identifier, associationType: a.associationType, originNodeURI: a.payload['originNodeURI'], destinationNodeURI: a.payload['destinationNodeURI'],
  lastChangeDateTime: a.payload['lastChangeDateTime'],
});

/** A framework a crosswalk names, which the caller must be able to read; else a 400 naming the field. */
async function end(req: FastifyRequest, identifier: string, field: 'source' | 'target') {
  try {
    return await visible(req, identifier);
  } catch (e) {
    if (isShirubeError(e) && e.code === 'not_found') throw new ShirubeError('invalid_request', `${field}: no framework (CFDocument) ${identifier}`, field);
    throw e;
  }
}

/** /api/crosswalks: crosswalk documents between two frameworks, their links and suggested matches (docs/crosswalks.md). */
export default async function crosswalkRoutes(app: FastifyInstance) {
  const db = () => app.store.db;

  /** The crosswalk (404 if hidden or not a crosswalk) and, for writes, the caller's author rights on it. */
  async function crosswalk(req: FastifyRequest<{ Params: { id: string } }>, write?: string): Promise<Crosswalk> {
    const d = write ? await authored(req, req.params.id, write) : await visible(req, req.params.id);
    return crosswalkOf(d);
  }

  app.get('/', {
    schema: { tags, summary: 'List the crosswalks the caller may see', response: { 200: { type: 'object', properties: { crosswalks: { type: 'array', items: anyObject } } } } },
  }, async (req) => ({
    crosswalks: (await listCrosswalks(db())).filter((d) => canSee(req.principal, d)).map((d) => ({ ...crosswalkOf(d), canAuthor: canAuthorFramework(req.principal, ref(d)) })),
  }));

  app.post<{ Body: { source: string; target: string; title: string; creator?: string; adoptionStatus?: string } }>('/', {
    onRequest: async (req) => authorize(req, mayImport, 'create crosswalks'),
    schema: {
      tags, security,
      summary: 'Create a crosswalk between two frameworks: a CFDocument (frameworkType "crosswalk") served by the CASE API',
      body: {
        type: 'object', required: ['source', 'target', 'title'], additionalProperties: false,
        properties: { source: id, target: id, title: { type: 'string', minLength: 1, maxLength: 500 }, creator: { type: 'string', minLength: 1, maxLength: 500 }, adoptionStatus: { type: 'string', enum: adoptionStatuses } },
      },
      response: { 201: anyObject, ...errors },
    },
  }, async (req, reply) => {
    authorize(req, (p) => canAuthorFramework(p), 'create crosswalks');
    const title = req.body.title.trim();
    if (!title) throw new ShirubeError('invalid_request', 'title: must not be blank', 'title');
    const [source, target] = [await end(req, req.body.source, 'source'), await end(req, req.body.target, 'target')];
    const cw = await createCrosswalk(db(), source, target, { title, creator: req.body.creator?.trim() || 'Shirube', adoptionStatus: req.body.adoptionStatus, organizationId: organizationOf(req.principal) }, { actor: actorOf(req.principal) });
    return reply.code(201).header('location', `/api/crosswalks/${cw.identifier}`).send(cw);
  });

  app.get<{ Params: { id: string } }>('/:id', {
    schema: {
      tags,
      summary: "A crosswalk with both frameworks' items to match (identifier, code, statement, grade, place) and its links",
      params: idParams,
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    const cw = await crosswalk(req);
    const items = async (identifier: string) => {
      await visible(req, identifier);
      return (await loadRelationFramework(db(), identifier)).items.map((i) => ({ identifier: i.identifier, code: i.code, text: i.text, gradeLabel: i.gradeLabel, path: i.path }));
    };
    return {
      ...cw, canAuthor: canAuthorFramework(req.principal, { identifier: cw.identifier, organizationId: cw.organizationId }),
      sourceItems: await items(cw.source.identifier), targetItems: await items(cw.target.identifier),
      links: (await crosswalkLinks(db(), cw)).map(link),
    };
  });

  app.get<{ Params: { id: string }; Querystring: { item: string; limit?: number } }>('/:id/suggestions', {
    schema: {
      tags,
      summary: "The target's items ranked by similarity to one item of the source (the relation estimator's lexical similarity, 0–1)",
      params: idParams,
      querystring: { type: 'object', required: ['item'], additionalProperties: false, properties: { item: id, limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 } } },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    const cw = await crosswalk(req);
    await Promise.all([visible(req, cw.source.identifier), visible(req, cw.target.identifier)]);
    return { item: req.query.item, suggestions: await suggestMatches(db(), cw, req.query.item, req.query.limit ?? 10) };
  });

  app.post<{ Params: { id: string }; Body: { origin: string; destination: string; associationType: CrosswalkType; score?: number } }>('/:id/associations', {
    onRequest: async (req) => authorize(req, mayImport, 'edit crosswalks'),
    schema: {
      tags, security,
      summary: 'Link an item of the source to an item of the target (exactMatchOf or isRelatedTo): a CFAssociation of the crosswalk',
      params: idParams,
      body: {
        type: 'object', required: ['origin', 'destination', 'associationType'], additionalProperties: false,
        properties: { origin: id, destination: id, associationType: { type: 'string', enum: crosswalkTypes }, score: { type: 'number', minimum: 0, maximum: 1 } },
      },
      response: { 201: anyObject, ...errors },
    },
  }, async (req, reply) => {
    const cw = await crosswalk(req, `edit the crosswalk ${req.params.id}`);
    const a = await addLink(db(), cw, { origin: req.body.origin, destination: req.body.destination, type: req.body.associationType, score: req.body.score }, { actor: actorOf(req.principal) });
    return reply.code(201).header('location', `/ims/case/v1p1/CFAssociations/${a.identifier}`).send(link(a));
  });

  const linkParams = { type: 'object', required: ['id', 'associationId'], additionalProperties: false, properties: { id, associationId: id } } as const;
  app.put<{ Params: { id: string; associationId: string }; Body: { associationType: CrosswalkType } }>('/:id/associations/:associationId', {
    onRequest: async (req) => authorize(req, mayImport, 'edit crosswalks'),
    schema: {
      tags, security,
      summary: 'Change the type of a link of the crosswalk (exactMatchOf ↔ isRelatedTo)',
      params: linkParams,
      body: { type: 'object', required: ['associationType'], additionalProperties: false, properties: { associationType: { type: 'string', enum: crosswalkTypes } } },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    const cw = await crosswalk(req, `edit the crosswalk ${req.params.id}`);
    return link(await retypeLink(db(), cw, req.params.associationId, req.body.associationType, { actor: actorOf(req.principal) }));
  });

  app.delete<{ Params: { id: string; associationId: string } }>('/:id/associations/:associationId', {
    onRequest: async (req) => authorize(req, mayImport, 'edit crosswalks'),
    schema: {
      tags, security,
      summary: 'Remove a link of the crosswalk',
      params: linkParams,
      response: { 204: { type: 'null' }, ...errors },
    },
  }, async (req, reply) => {
    const cw = await crosswalk(req, `edit the crosswalk ${req.params.id}`);
    await removeLink(db(), cw, req.params.associationId, { actor: actorOf(req.principal) });
    return reply.code(204).send();
  });
}
