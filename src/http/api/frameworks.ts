import type { FastifyInstance } from 'fastify';
import { actorOf, canAuthorFramework } from '../../auth/index.js';
import { ShirubeError } from '../../errors.js';
import { adoptionStatuses } from '../../case/model.js';
import { deleteFramework, frameworkSummary, listFrameworks, setFrameworkAdoptionStatus, type StatusChange } from '../../case/frameworks.js';
import { entityTag } from '../../case/authoring.js';
import { importCaseJson, parseJsonText } from '../../case/import/case-json.js';
import { importCourseOfStudyCodes } from '../../case/import/cscode.js';
import { importRemote, listRemoteDocuments, type RemoteAuth, type RemoteOptions } from '../../case/import/remote.js';
import { importSpreadsheet } from '../../case/import/spreadsheet.js';
import type { ImportResult } from '../../case/import/save.js';
import { exportFormats, exportFramework, type ExportFormat } from '../../case/export/index.js';
import { deleteRubric, saveRubric } from '../../case/rubrics.js';
import { serializeRubric } from '../../case/serialize.js';
import { authorize } from '../plugins/auth.js';
import { authored, canSee, importChecks, mayImport, organizationOf, ref, visible } from '../framework-access.js';
import { deriveFramework, deriveInput } from '../../case/derive.js';
import { derivationBackfill } from '../../lrs/index.js';
import { evidenceHook } from '../../badges/index.js';
import { errorSchema } from './auth.js';

const tags = ['Frameworks'];
const security: { [scheme: string]: string[] }[] = [{ oauth2: ['case:write'] }, { session: [] }];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 413: errorSchema, 502: errorSchema };
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false } as const;
const str = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const importFormats = ['case-json', 'csv', 'xlsx', 'cscode'] as const;
type ImportFormat = (typeof importFormats)[number];

const field = (o: Record<string, unknown>, name: string, path = name) => {
  const v = o[name];
  if (v !== undefined && (typeof v !== 'string' || !v)) throw new ShirubeError('invalid_request', `${path}: must be a non-empty string`, path);
  return v as string | undefined;
};

/** `{ url, documentId?, auth?, timeoutMs? }`: a remote import request, checked field by field. */
function remoteRequest(body: Record<string, unknown>): RemoteOptions {
  for (const k of Object.keys(body)) {
    if (!['url', 'documentId', 'auth', 'timeoutMs'].includes(k)) throw new ShirubeError('invalid_request', `${k}: unknown property (a remote import takes url, documentId, auth, timeoutMs)`, k);
  }
  const url = field(body, 'url');
  if (!url) throw new ShirubeError('invalid_request', 'url: is required', 'url');
  const t = body['timeoutMs'];
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 100 || t > 600_000)) {
    throw new ShirubeError('invalid_request', 'timeoutMs: must be an integer from 100 to 600000', 'timeoutMs');
  }
  const auth = body['auth'];
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || Array.isArray(auth))) throw new ShirubeError('invalid_request', 'auth: must be an object { tokenUrl, clientId, clientSecret, scope? }', 'auth');
  return { url, documentId: field(body, 'documentId'), auth: auth as RemoteAuth | undefined, timeoutMs: t as number | undefined };
}

interface ImportQuery {
  format?: ImportFormat;
  identifier?: string;
  title?: string;
  creator?: string;
  publisher?: string;
  language?: string;
  adoptionStatus?: string;
  version?: string;
}

/** POST /import: its own plugin, so that bodies arrive as bytes (JSON is parsed with field paths, spreadsheets as files). */
async function importRoutes(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/csv', 'text/plain', XLSX_TYPE, 'application/octet-stream'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post<{ Querystring: ImportQuery; Body: Buffer }>('/import', {
    onRequest: async (req) => authorize(req, mayImport, 'import frameworks'),
    schema: {
      tags,
      security,
      summary: 'Import a framework',
      description:
        'The body is one of: a CASE JSON CFPackage (1.0 or 1.1, `application/json`); `{ "url", "documentId"?, "auth"?: { tokenUrl, clientId, clientSecret, scope? }, "timeoutMs"? }` to import from a remote CASE server (`application/json`); ' +
        'an OpenSALT-style spreadsheet (`text/csv` or XLSX) with `format=csv|xlsx`; or a Course of Study Code table (`text/csv`, `format=cscode`). ' +
        'Importing a framework again replaces it. One transaction: on any error nothing is stored. See docs/import-export.md.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          format: { type: 'string', enum: importFormats },
          identifier: str, title: str, creator: str, publisher: str, language: { type: 'string', maxLength: 20 },
          adoptionStatus: { type: 'string', enum: adoptionStatuses }, version: str,
        },
      },
      response: { 201: { type: 'object', properties: { frameworks: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errors },
    },
  }, async (req, reply) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const body = req.body;
    if (!Buffer.isBuffer(body) || !body.length) throw new ShirubeError('invalid_request', '(body): is required: a CFPackage, a remote import request or a spreadsheet', '(body)');
    const q = req.query;
    const format: ImportFormat = q.format ?? (type === XLSX_TYPE ? 'xlsx' : type === 'text/csv' ? 'csv' : type === 'application/json' ? 'case-json' : (() => {
      throw new ShirubeError('invalid_request', `format: is required for a ${type || 'untyped'} body (case-json, csv, xlsx or cscode)`, 'format');
    })());
    const db = app.store.db;
    const checks = importChecks(req, format);
    let results: ImportResult[];
    if (format === 'case-json') {
      const json = parseJsonText(body);
      const isRemote = typeof json === 'object' && json !== null && !Array.isArray(json) && 'url' in json && !('CFDocument' in json) && !('CFPackage' in json);
      results = [isRemote ? await importRemote(db, { ...remoteRequest(json as Record<string, unknown>), ...checks }) : await importCaseJson(db, json, checks)];
    } else if (format === 'cscode') {
      results = await importCourseOfStudyCodes(db, body, { ...checks, title: q.title, version: q.version });
    } else {
      results = [await importSpreadsheet(db, body, format, { ...checks, identifier: q.identifier, title: q.title, creator: q.creator, publisher: q.publisher, language: q.language, adoptionStatus: q.adoptionStatus })];
    }
    req.log.info({ frameworks: results.map((r) => ({ identifier: r.identifier, ...r.counts })), format }, 'Imported frameworks');
    return reply.code(201).send({ frameworks: results });
  });
}

/** Frameworks for authors and the UI (`/api/frameworks`): import, publish, delete, list, export. */
export default async function frameworkRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  await app.register(importRoutes);

  app.post<{ Body: Record<string, unknown> }>('/remote-documents', {
    onRequest: async (req) => authorize(req, mayImport, 'import frameworks'),
    schema: {
      tags,
      security,
      summary: 'List the CFDocuments of a remote CASE server, to choose one to import',
      body: {
        type: 'object',
        required: ['url'],
        additionalProperties: false,
        properties: {
          url: { type: 'string', minLength: 1, maxLength: 2000 },
          auth: { type: 'object', additionalProperties: false, required: ['tokenUrl', 'clientId', 'clientSecret'], properties: { tokenUrl: str, clientId: str, clientSecret: str, scope: str } },
          timeoutMs: { type: 'integer', minimum: 100, maximum: 600000 },
        },
      },
      response: { 200: { type: 'object', properties: { documents: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errors },
    },
  }, async (req) => ({ documents: await listRemoteDocuments(db(), req.body as unknown as RemoteOptions) }));

  app.get('/', {
    schema: {
      tags,
      summary: 'List the frameworks the caller may see (public ones, and private ones the caller may read)',
      response: { 200: { type: 'object', properties: { frameworks: { type: 'array', items: { type: 'object', additionalProperties: true } } } } },
    },
  }, async (req) => ({
    frameworks: (await listFrameworks(db()))
      .filter((d) => canSee(req.principal, d))
      .map((d) => ({ ...frameworkSummary(d), canAuthor: canAuthorFramework(req.principal, ref(d)) })),
  }));

  app.put<{ Params: { id: string }; Body: StatusChange }>('/:id/adoption-status', {
    onRequest: async (req) => authorize(req, mayImport, 'publish frameworks'),
    schema: {
      tags,
      security,
      summary: "Change a framework's adoption status: Private Draft → Draft → Adopted / Implemented (official: frozen, a published version is frozen) → Deprecated / Retired",
      description:
        'statusStartDate defaults to the day of the change; statusEndDate to that day for Deprecated / Retired. Leaving an official (or ended) status for a draft opens the next version and needs `"newVersion": true` (else 409). ' +
        'If-Match (the CFDocument’s ETag from GET …/document) is checked when sent. The answer names the new `version` when one was published. See docs/authoring.md.',
      params: idParams,
      body: {
        type: 'object', required: ['adoptionStatus'], additionalProperties: false,
        properties: {
          adoptionStatus: { type: 'string', enum: adoptionStatuses },
          statusStartDate: { type: 'string', maxLength: 10 }, statusEndDate: { type: 'string', maxLength: 10 }, newVersion: { type: 'boolean' },
        },
      },
      response: { 200: { type: 'object', additionalProperties: true }, 409: errorSchema, 412: errorSchema, ...errors },
    },
  }, async (req, reply) => {
    await authored(req, req.params.id, `change the adoption status of ${req.params.id}`);
    const d = await setFrameworkAdoptionStatus(db(), req.params.id, req.body, { actor: actorOf(req.principal), ifMatch: req.headers['if-match'] });
    // The CFDocument's new ETag, as GET …/document gives it.
    return reply.header('etag', entityTag(d.payload)).send({ ...frameworkSummary(d), ...(d.version ? { version: d.version } : {}) });
  });

  const rubricParams = { type: 'object', required: ['id', 'rubricId'], properties: { id: idParams.properties.id, rubricId: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false } as const;
  app.put<{ Params: { id: string; rubricId: string }; Body: unknown }>('/:id/rubrics/:rubricId', {
    onRequest: async (req) => authorize(req, mayImport, 'author rubrics'),
    schema: {
      tags,
      security,
      summary: 'Create or replace a CFRubric of a framework (criteria naming CFItems, levels such as A/B/C with a score each)',
      description:
        'The body is a CASE 1.1 CFRubric. Identifiers, URIs, rubricId / rubricCriterionId, positions and lastChangeDateTime are filled in; ' +
        'each criterion names a stored CFItem (`CFItemURI.identifier`) and lists 1–10 levels, each with a `quality` (the label, e.g. A) and a `score` ' +
        '(the lowest mean score 0–1 at that level, or points). The item’s mastery rule and labels then follow the rubric (docs/progress.md: Rubrics). ' +
        '201 when created, 200 when replaced (If-Match required: the ETag of GET …/rubrics/{rubricId} or of the last PUT; 428 without, 412 when stale); audited and kept in the history; the framework’s lastChangeDateTime moves on.',
      params: rubricParams,
      body: { type: 'object', additionalProperties: true },
      response: { 200: { type: 'object', additionalProperties: true }, 201: { type: 'object', additionalProperties: true }, 409: errorSchema, ...errors },
    },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author rubrics of ${req.params.id}`);
    const id = req.params.rubricId.toLowerCase();
    const { created, rubric } = await saveRubric(db(), req.params.id, id, req.body, { actor: actorOf(req.principal), ifMatch: req.headers['if-match'] });
    // As the CASE API serves it (getCFRubric 1.1): public URIs.
    return reply.code(created ? 201 : 200).header('location', `/ims/case/v1p1/CFRubrics/${id}`).header('etag', entityTag(rubric))
      .send(serializeRubric({ identifier: id, payload: rubric, lastChange: new Date(String(rubric['lastChangeDateTime'])), authored: true }, { version: '1.1', publicUrl: app.config.publicUrl }));
  });

  app.delete<{ Params: { id: string; rubricId: string } }>('/:id/rubrics/:rubricId', {
    onRequest: async (req) => authorize(req, mayImport, 'author rubrics'),
    schema: { tags, security, summary: 'Delete a CFRubric of a framework (audited)', params: rubricParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await authored(req, req.params.id, `author rubrics of ${req.params.id}`);
    await deleteRubric(db(), req.params.id, req.params.rubricId.toLowerCase(), { actor: actorOf(req.principal), ifMatch: req.headers['if-match'] });
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/:id/derive', {
    onRequest: async (req) => authorize(req, mayImport, 'derive frameworks'),
    schema: {
      tags,
      security,
      summary: "Derive a framework (e.g. a board of education's version of a Course of Study framework)",
      description:
        'Copies the CFDocument, its CFItems, internal CFAssociations and CFRubrics with new identifiers and URIs, Private Draft, owned by the ' +
        "caller's organisation; each new item keeps its humanCodingScheme and gets an exactMatchOf to its source item. Statements naming either " +
        'item count for both, including those stored before. Body: `{ title, creator, publisher?, description?, version?, identifier? }`. ' +
        'One transaction, audited (framework.derive). See docs/derivatives.md.',
      params: idParams,
      body: { type: 'object', additionalProperties: true },
      response: { 201: { type: 'object', additionalProperties: true }, 409: errorSchema, ...errors },
    },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    authorize(req, (p) => canAuthorFramework(p), 'create frameworks');
    const input = deriveInput(req.body);
    const timeZone = app.config.timeZone;
    const result = await deriveFramework(db(), req.params.id, input, {
      actor: actorOf(req.principal),
      organizationId: organizationOf(req.principal),
      backfill: derivationBackfill({ timeZone, onEvidence: evidenceHook(timeZone) }),
    });
    return reply.code(201).header('location', `/ims/case/v1p1/CFDocuments/${result.identifier}`).send(result);
  });

  app.delete<{ Params: { id: string } }>('/:id', {
    onRequest: async (req) => authorize(req, mayImport, 'delete frameworks'),
    schema: { tags, security, summary: 'Delete a framework (and the items, definitions and rubrics no other framework holds)', params: idParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    await authored(req, req.params.id, `delete the framework ${req.params.id}`);
    await deleteFramework(db(), req.params.id, { actor: actorOf(req.principal) });
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string }; Querystring: { format?: ExportFormat; uriExtras?: boolean } }>('/:id/export', {
    schema: {
      tags,
      summary: 'Export a framework: CASE JSON 1.0 / 1.1, or the OpenSALT XLSX / CSV layout (public frameworks anonymously)',
      params: idParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          format: { type: 'string', enum: exportFormats, default: 'case-json-1.1' },
          uriExtras: { type: 'boolean', description: 'CASE JSON only: add CFPackageURI / CFDocumentURI inside the package (default: SHIRUBE_CASE_URI_EXTRAS)' },
        },
      },
    },
  }, async (req, reply) => {
    await visible(req, req.params.id);
    const format = req.query.format ?? 'case-json-1.1';
    const file = await exportFramework(db(), req.params.id, format, { publicUrl: app.config.publicUrl, uriExtras: req.query.uriExtras ?? app.config.caseUriExtras });
    return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
  });
}
