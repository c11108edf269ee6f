import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, canAuthorFramework } from '../../auth/index.js';
import {
  createAssociation, createDefinition, createFramework, createItem, definitionLists, deleteAssociation, deleteDefinition, deleteItem, entityTag,
  frameworkTree, moveItem, readAssociation, readDefinition, readItem, readRubric, replaceItem, updateAssociation, updateDefinition, updateFramework, updateItem,
  type Author, type WriteMode,
} from '../../case/authoring.js';
import { getFramework } from '../../case/frameworks.js';
import { diffVersions, exportVersion, frameworkHistory, frameworkVersions, parseVersionRef } from '../../case/history.js';
import { associationTypes } from '../../case/model.js';
import { exportFormats, type ExportFormat } from '../../case/export/index.js';
import { serializeAssociation, serializeDefinition, serializeDocument, serializeItem, serializeRubric, type SerializeOptions } from '../../case/serialize.js';
import { ShirubeError } from '../../errors.js';
import { authorize } from '../plugins/auth.js';
import { authored, canSee, mayImport, organizationOf, visible } from '../framework-access.js';
import { errorSchema } from './auth.js';

/**
 * Authoring a framework entity by entity (docs/authoring.md), for a tree editor and an item editor: the CFDocument,
 * the tree (add, move, reorder, delete), CFItems, CFAssociations, definitions, the history, published versions and
 * their differences. Every GET of an entity sends its ETag; PUT, PATCH and DELETE need it back in If-Match (428
 * without, 412 when someone else changed it). Domain logic in src/case/authoring.ts and src/case/history.ts.
 */
const tags = ['Authoring'];
const security: { [scheme: string]: string[] }[] = [{ oauth2: ['case:write'] }, { session: [] }];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 412: errorSchema, 428: errorSchema };
const entity = { type: 'object', additionalProperties: true } as const;
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const params = (...names: string[]) => ({ type: 'object', required: names, additionalProperties: false, properties: Object.fromEntries(names.map((n) => [n, n === 'list' ? { type: 'string', enum: definitionLists } : id])) });
const ifMatch = { type: 'object', properties: { 'if-match': { type: 'string', description: 'The ETag of the entity as last read (required: 428 without, 412 when stale)' } } } as const;

// Request bodies as documented in OpenAPI; the domain checks them field by field (400 naming the field). null in a
// PATCH removes the field (RFC 7396 merge patch).
const text = (description: string) => ({ type: ['string', 'null'], description });
const texts = (description: string) => ({ type: ['array', 'null'], description: `${description} (strings)` });
const link = (kind: string) => ({ type: ['object', 'null'], properties: { identifier: id }, description: `A link to a ${kind} by its identifier (title and uri are filled in)` });
const node = { type: 'object', properties: { identifier: id, uri: { type: 'string' }, title: { type: 'string' }, targetType: { type: 'string' } }, description: 'An item (of any framework you may see), this framework, or a node outside Shirube (then uri is required)' };
const itemFields = {
  identifier: { type: 'string', description: 'A UUID; left out, one is made (only when creating)' },
  fullStatement: text('Required. CASE 1.1: Markdown and LaTeX ($…$) allowed, stored as given'),
  alternativeLabel: text('Alternative label'), CFItemType: text('The item type’s title (filled in from CFItemTypeURI when left out)'),
  humanCodingScheme: text('The code shown to people (the Course of Study Code in Course of Study frameworks)'),
  listEnumeration: text('List enumeration (e.g. ア)'), abbreviatedStatement: text('Abbreviated statement'),
  conceptKeywords: texts('Concept keywords'), conceptKeywordsURI: link('CFConcept'), notes: text('Notes (Markdown allowed)'),
  subject: texts('Subjects'), subjectURI: { type: ['array', 'null'], items: link('CFSubject'), description: 'Links to CFSubjects' },
  language: text('A language tag: ja, en, en-US'), educationLevel: texts('Education levels (e.g. 04 for grade 4)'),
  CFItemTypeURI: link('CFItemType'), licenseURI: link('CFLicense'), statusStartDate: text('YYYY-MM-DD'), statusEndDate: text('YYYY-MM-DD'),
  extensions: { type: ['object', 'null'], additionalProperties: true, description: 'CASE 1.1 extensions' },
};
const itemBody = { type: 'object', properties: itemFields, description: 'CFItem fields (docs/authoring.md). PUT replaces them all; PATCH is a merge patch (null removes a field).' };
const associationBody = {
  type: 'object',
  properties: {
    identifier: itemFields.identifier,
    associationType: { type: 'string', description: `Required: ${associationTypes.join(', ')}, or ext:<token>` },
    originNodeURI: node, destinationNodeURI: node, sequenceNumber: { type: ['integer', 'null'], minimum: 0 },
    CFAssociationGroupingURI: link('CFAssociationGrouping'), notes: text('Notes'), extensions: itemFields.extensions,
  },
};
const definitionBody = {
  type: 'object',
  description: 'CFConcepts: title, hierarchyCode (required), keywords, description. CFSubjects: title, hierarchyCode (required), description. ' +
    'CFLicenses: title, licenseText (required), description. CFItemTypes: title, hierarchyCode (required), description, typeCode. ' +
    'CFAssociationGroupings: title (required), description. All: identifier (when creating), extensions.',
  properties: { identifier: itemFields.identifier, title: text('Required'), description: text('Description'), hierarchyCode: text('e.g. 1.2'), keywords: text('CFConcept keywords'), licenseText: text('CFLicense text'), typeCode: text('CFItemType code'), extensions: itemFields.extensions },
};
const documentBody = {
  type: 'object',
  description: 'CFDocument fields. adoptionStatus and the status dates change through PUT …/adoption-status (a new framework may name a draft status).',
  properties: {
    identifier: itemFields.identifier, title: text('Required'), creator: text('Required'), frameworkType: text('Framework type'), caseVersion: text('"1.1"'),
    officialSourceURL: text('An absolute URI'), publisher: text('Publisher'), description: text('Description'), subject: texts('Subjects'),
    subjectURI: itemFields.subjectURI, language: itemFields.language, version: text('Version'), licenseURI: link('CFLicense'), notes: text('Notes'),
    adoptionStatus: { type: 'string', enum: ['Private Draft', 'Draft', 'Pending Implementation'], description: 'Creating only; default Private Draft' },
    extensions: itemFields.extensions,
  },
};

export default async function authoringRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  const opts = (): SerializeOptions => ({ version: '1.1', publicUrl: app.config.publicUrl });
  const author = (req: FastifyRequest): Author => ({ actor: actorOf(req.principal), canSee: (d) => canSee(req.principal, d) });
  const match = (req: FastifyRequest) => req.headers['if-match'];
  const gate = (what: string) => async (req: FastifyRequest) => authorize(req, mayImport, what);
  /** The entity as the CASE API serves it (1.1), with its ETag; no caching (editors always want the current state). */
  const send = (reply: FastifyReply, body: unknown, tag: string, status = 200, location?: string) => {
    reply.code(status).header('etag', tag).header('cache-control', 'private, no-cache');
    if (location) reply.header('location', location);
    return reply.send(body);
  };

  const sendDocument = async (reply: FastifyReply, fid: string, status = 200) => {
    const d = await getFramework(db(), fid);
    return send(reply, serializeDocument(d, opts()), entityTag(d.payload), status, status === 201 ? `/api/frameworks/${fid}/document` : undefined);
  };
  const sendItem = async (reply: FastifyReply, fid: string, itemId: string, status = 200) => {
    const item = await readItem(db(), fid, itemId);
    return send(reply, serializeItem(item, await getFramework(db(), fid), opts()), entityTag(item.payload), status, status === 201 ? `/api/frameworks/${fid}/items/${itemId}` : undefined);
  };
  const sendAssociation = async (reply: FastifyReply, fid: string, aid: string, status = 200) => {
    const a = await readAssociation(db(), fid, aid);
    return send(reply, serializeAssociation(a, await getFramework(db(), fid), opts()), entityTag(a.payload), status, status === 201 ? `/api/frameworks/${fid}/associations/${aid}` : undefined);
  };
  const sendDefinition = async (reply: FastifyReply, fid: string, list: string, did: string, status = 200) => {
    const d = await readDefinition(db(), fid, list, did);
    return send(reply, serializeDefinition(d, opts()), entityTag(d.payload), status, status === 201 ? `/api/frameworks/${fid}/definitions/${list}/${did}` : undefined);
  };

  /** PUT (replace the fields) and PATCH (merge patch) of one entity, for its authors, with If-Match. */
  const putAndPatch = <P extends { id: string }>(url: string, names: string[], body: object, summary: (verb: string) => string,
    write: (req: FastifyRequest<{ Params: P; Body: unknown }>, reply: FastifyReply, mode: WriteMode) => Promise<unknown>) => {
    for (const method of ['PUT', 'PATCH'] as const) {
      app.route<{ Params: P; Body: unknown }>({
        method, url, onRequest: gate('author frameworks'),
        schema: { tags, security, summary: summary(method === 'PUT' ? 'Replace' : 'Merge-patch'), params: params(...names), headers: ifMatch, body, response: { 200: entity, ...errors } },
        handler: async (req, reply) => {
          const fid = (req.params as { id: string }).id;
          await authored(req, fid, `author ${fid}`);
          return write(req, reply, { kind: method === 'PUT' ? 'replace' : 'merge' });
        },
      });
    }
  };

  // --- the framework (CFDocument) --------------------------------------------------------------------------------
  app.post<{ Body: Record<string, unknown> }>('/', {
    onRequest: gate('create frameworks'),
    schema: { tags, security, summary: 'Create an empty framework (a CFDocument; Private Draft unless a draft status is given)', body: documentBody, response: { 201: entity, ...errors } },
  }, async (req, reply) => {
    authorize(req, (p) => canAuthorFramework(p), 'create frameworks');
    const fid = await createFramework(db(), req.body, { ...author(req), organizationId: organizationOf(req.principal) });
    return sendDocument(reply, fid, 201);
  });

  app.get<{ Params: { id: string } }>('/:id/document', {
    schema: { tags, summary: 'The CFDocument (CASE 1.1) with its ETag', params: params('id'), response: { 200: entity, 404: errorSchema } },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    return sendDocument(reply, req.params.id);
  });

  putAndPatch<{ id: string }>('/:id/document', ['id'], documentBody, (verb) => `${verb} the CFDocument's metadata (If-Match required)`, async (req, reply, mode) => {
    await updateFramework(db(), req.params.id, req.body, mode, match(req), author(req));
    return sendDocument(reply, req.params.id);
  });

  app.get<{ Params: { id: string } }>('/:id/tree', {
    schema: {
      tags, summary: 'The framework as a tree for an editor: items under their isChildOf parents in sequenceNumber order, each with its ETag and its association',
      description: '`{ etag, children: [{ identifier, fullStatement, humanCodingScheme, CFItemType, lastChangeDateTime, etag, association: { identifier, sequenceNumber, etag }, children }], unplaced: […] }`; `etag` is the CFDocument’s.',
      params: params('id'), response: { 200: entity, 404: errorSchema },
    },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    const tree = await frameworkTree(db(), req.params.id);
    return reply.header('cache-control', 'private, no-cache').send(tree);
  });

  // --- items and the tree -----------------------------------------------------------------------------------------
  app.post<{ Params: { id: string }; Body: unknown }>('/:id/items', {
    onRequest: gate('author frameworks'),
    schema: {
      tags, security, summary: 'Add a CFItem to the tree: under parent (the framework or an item; default the framework) at sequenceNumber (1-based; default last)',
      params: params('id'),
      body: { type: 'object', required: ['CFItem'], properties: { CFItem: itemBody, parent: { ...id, description: 'The framework’s identifier (top level) or a CFItem of it' }, sequenceNumber: { type: 'integer', minimum: 1 } } },
      response: { 201: entity, ...errors },
    },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    const itemId = await createItem(db(), req.params.id, req.body, author(req));
    return sendItem(reply, req.params.id, itemId, 201);
  });

  app.get<{ Params: { id: string; itemId: string } }>('/:id/items/:itemId', {
    schema: { tags, summary: 'A CFItem of the framework (CASE 1.1) with its ETag', params: params('id', 'itemId'), response: { 200: entity, 404: errorSchema } },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    return sendItem(reply, req.params.id, req.params.itemId);
  });

  putAndPatch<{ id: string; itemId: string }>('/:id/items/:itemId', ['id', 'itemId'], itemBody,
    (verb) => `${verb} a CFItem's fields (If-Match required; in an Adopted / Implemented framework only notes and status dates: 409)`, async (req, reply, mode) => {
      await updateItem(db(), req.params.id, req.params.itemId, req.body, mode, match(req), author(req));
      return sendItem(reply, req.params.id, req.params.itemId);
    });

  app.put<{ Params: { id: string; itemId: string }; Body: unknown }>('/:id/items/:itemId/placement', {
    onRequest: gate('author frameworks'),
    schema: {
      tags, security, params: params('id', 'itemId'), headers: ifMatch, response: { 200: entity, ...errors },
      summary: 'Move a CFItem: re-parent and/or reorder (its isChildOf association; siblings are renumbered 1..n). If-Match: the item’s ETag',
      body: { type: 'object', required: ['parent'], properties: { parent: id, sequenceNumber: { type: 'integer', minimum: 1 }, from: { ...id, description: 'Which parent to move from, when the item has several' } } },
    },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    await moveItem(db(), req.params.id, req.params.itemId, req.body, match(req), author(req));
    return sendItem(reply, req.params.id, req.params.itemId);
  });

  app.post<{ Params: { id: string; itemId: string }; Body: unknown }>('/:id/items/:itemId/replacement', {
    onRequest: gate('author frameworks'),
    schema: {
      tags, security, params: params('id', 'itemId'), body: itemBody, response: { 201: entity, ...errors },
      summary: 'Replace a CFItem by a new one (how an Adopted framework changes): the body patches the old item’s fields; the new item takes its place in the tree, old replacedBy new, the old item gets a statusEndDate',
    },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    const newId = await replaceItem(db(), req.params.id, req.params.itemId, req.body ?? {}, match(req), author(req));
    return sendItem(reply, req.params.id, newId, 201);
  });

  app.delete<{ Params: { id: string; itemId: string }; Querystring: { withChildren?: boolean } }>('/:id/items/:itemId', {
    onRequest: gate('author frameworks'),
    schema: {
      tags, security, params: params('id', 'itemId'), headers: ifMatch, response: { 204: { type: 'null' }, ...errors },
      summary: 'Delete a CFItem and the associations of this framework naming it (If-Match required; with children only when withChildren=true: 409)',
      querystring: { type: 'object', additionalProperties: false, properties: { withChildren: { type: 'boolean', default: false } } },
    },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    await deleteItem(db(), req.params.id, req.params.itemId, req.query.withChildren === true, match(req), author(req));
    return reply.code(204).send();
  });

  // --- associations -----------------------------------------------------------------------------------------------
  app.post<{ Params: { id: string }; Body: unknown }>('/:id/associations', {
    onRequest: gate('author frameworks'),
    schema: { tags, security, summary: 'Add a CFAssociation (any type, ext: too; ends may be items of other frameworks or outside Shirube)', params: params('id'), body: associationBody, response: { 201: entity, ...errors } },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    return sendAssociation(reply, req.params.id, await createAssociation(db(), req.params.id, req.body, author(req)), 201);
  });

  app.get<{ Params: { id: string; associationId: string } }>('/:id/associations/:associationId', {
    schema: { tags, summary: 'A CFAssociation of the framework (CASE 1.1) with its ETag', params: params('id', 'associationId'), response: { 200: entity, 404: errorSchema } },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    return sendAssociation(reply, req.params.id, req.params.associationId);
  });

  putAndPatch<{ id: string; associationId: string }>('/:id/associations/:associationId', ['id', 'associationId'], associationBody, (verb) => `${verb} a CFAssociation (If-Match required)`, async (req, reply, mode) => {
    await updateAssociation(db(), req.params.id, req.params.associationId, req.body, mode, match(req), author(req));
    return sendAssociation(reply, req.params.id, req.params.associationId);
  });

  app.delete<{ Params: { id: string; associationId: string } }>('/:id/associations/:associationId', {
    onRequest: gate('author frameworks'),
    schema: { tags, security, summary: 'Delete a CFAssociation (If-Match required)', params: params('id', 'associationId'), headers: ifMatch, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    await deleteAssociation(db(), req.params.id, req.params.associationId, match(req), author(req));
    return reply.code(204).send();
  });

  // --- definitions ------------------------------------------------------------------------------------------------
  app.post<{ Params: { id: string; list: string }; Body: unknown }>('/:id/definitions/:list', {
    onRequest: gate('author frameworks'),
    schema: { tags, security, summary: 'Add a definition: CFConcepts, CFSubjects, CFLicenses, CFItemTypes or CFAssociationGroupings', params: params('id', 'list'), body: definitionBody, response: { 201: entity, ...errors } },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    return sendDefinition(reply, req.params.id, req.params.list, await createDefinition(db(), req.params.id, req.params.list, req.body, author(req)), 201);
  });

  app.get<{ Params: { id: string; list: string; definitionId: string } }>('/:id/definitions/:list/:definitionId', {
    schema: { tags, summary: 'A definition of the framework (CASE 1.1) with its ETag', params: params('id', 'list', 'definitionId'), response: { 200: entity, 404: errorSchema } },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    return sendDefinition(reply, req.params.id, req.params.list, req.params.definitionId);
  });

  putAndPatch<{ id: string; list: string; definitionId: string }>('/:id/definitions/:list/:definitionId', ['id', 'list', 'definitionId'], definitionBody, (verb) => `${verb} a definition (If-Match required)`, async (req, reply, mode) => {
    await updateDefinition(db(), req.params.id, req.params.list, req.params.definitionId, req.body, mode, match(req), author(req));
    return sendDefinition(reply, req.params.id, req.params.list, req.params.definitionId);
  });

  app.delete<{ Params: { id: string; list: string; definitionId: string } }>('/:id/definitions/:list/:definitionId', {
    onRequest: gate('author frameworks'),
    schema: { tags, security, summary: 'Delete a definition no item of the framework links to (If-Match required; else 409)', params: params('id', 'list', 'definitionId'), headers: ifMatch, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author ${req.params.id}`);
    await deleteDefinition(db(), req.params.id, req.params.list, req.params.definitionId, match(req), author(req));
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string; rubricId: string } }>('/:id/rubrics/:rubricId', {
    schema: { tags, summary: 'A CFRubric of the framework (CASE 1.1) with its ETag (PUT and DELETE …/rubrics/{rubricId} take it in If-Match)', params: params('id', 'rubricId'), response: { 200: entity, 404: errorSchema } },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    const r = await readRubric(db(), req.params.id, req.params.rubricId.toLowerCase());
    return send(reply, serializeRubric(r, opts()), entityTag(r.payload));
  });

  // --- history, versions, differences --------------------------------------------------------------------------------
  app.get<{ Params: { id: string }; Querystring: { entity?: string; since?: string; limit?: number; offset?: number } }>('/:id/history', {
    schema: {
      tags, security, params: params('id'), response: { 200: entity, ...errors },
      summary: 'Every authored change of the framework, newest first: `{ total, limit, offset, changes: [{ id, at, actor, action, entityType, entityIdentifier, before, after }] }` (authors, reviewers, case:read)',
      querystring: { type: 'object', additionalProperties: false, properties: { entity: id, since: { type: 'string', maxLength: 40 }, limit: { type: 'integer', minimum: 1, maximum: 1000 }, offset: { type: 'integer', minimum: 0 } } },
    },
  }, async (req) => {
    await privateReader(req, req.params.id);
    return frameworkHistory(db(), req.params.id, req.query);
  });

  app.get<{ Params: { id: string } }>('/:id/versions', {
    schema: { tags, summary: 'The published versions (frozen when the framework became Adopted / Implemented): `{ versions: [{ version, adoptionStatus, publishedAt, publishedBy, lastChangeId }] }`', params: params('id'), response: { 200: entity, 404: errorSchema } },
  }, async (req) => {
    await visible(req, req.params.id);
    return { versions: (await frameworkVersions(db(), req.params.id)).map(({ documentIdentifier: _d, ...v }) => v) };
  });

  app.get<{ Params: { id: string; version: string }; Querystring: { format?: ExportFormat } }>('/:id/versions/:version', {
    schema: {
      tags, summary: 'A published version as a file: CASE JSON 1.1 (default) or 1.0, XLSX or CSV; immutable', params: params('id', 'version'),
      querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: exportFormats, default: 'case-json-1.1' } } },
    },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    const version = parseVersionRef(req.params.version, 'version');
    if (version === 'current') throw new ShirubeError('invalid_request', 'version: a published version number (GET …/export gives the current state)', 'version');
    const file = await exportVersion(db(), req.params.id, version, req.query.format ?? 'case-json-1.1', { publicUrl: app.config.publicUrl });
    // A published version never changes: cacheable for good.
    return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('cache-control', 'private, max-age=31536000, immutable').send(file.body);
  });

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string } }>('/:id/diff', {
    schema: {
      tags, params: params('id'), response: { 200: entity, ...errors },
      summary: 'What changed between two versions (or a version and the current state): `{ from, to, CFDocument: [{field, before, after}], CFItems|CFAssociations|CFDefinitions|CFRubrics: { added, removed, changed: [{ identifier, fields }] } }`',
      querystring: { type: 'object', required: ['from'], additionalProperties: false, properties: { from: { type: 'string', maxLength: 12, description: 'A version number or current' }, to: { type: 'string', maxLength: 12, description: 'A version number or current (default)' } } },
    },
  }, async (req) => {
    await privateReader(req, req.params.id);
    return diffVersions(db(), req.params.id, parseVersionRef(req.query.from, 'from'), parseVersionRef(req.query.to, 'to'));
  });

  /** History and differences show drafts' work in progress: people who may read the framework's private drafts. */
  async function privateReader(req: FastifyRequest, fid: string) {
    const d = await visible(req, fid);
    authorize(req, (p) => canSee(p, { ...d, adoptionStatus: 'Private Draft' }), `read the history of ${fid}`);
  }
}
