import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseVersion } from '../../case/model.js';
import { pageLinks, type CollectionQuery } from '../../case/query.js';
import { sendCached } from './cache.js';
import { allDocuments, endpoints, readResource, type Endpoint, type Reader } from './service.js';
import { assetPath } from './assets.js';

const flag = { type: 'string', enum: ['0', '1', 'true', 'false'] } as const;
const isOn = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v === '1' || v === 'true');

const summaries: Record<Endpoint, string> = {
  CFDocuments: 'getCFDocument: one CFDocument',
  CFPackages: 'getCFPackage: a CFDocument with all its CFItems, CFAssociations, CFDefinitions and CFRubrics',
  CFItems: 'getCFItem: one CFItem',
  CFItemAssociations: 'getCFItemAssociations: a CFItem and every CFAssociation that starts or ends at it',
  CFAssociations: 'getCFAssociation: one CFAssociation',
  CFAssociationGroupings: 'getCFAssociationGrouping: one CFAssociationGrouping',
  CFConcepts: 'getCFConcept: a CFConcept and its children (by hierarchyCode)',
  CFSubjects: 'getCFSubject: a CFSubject and its children (by hierarchyCode)',
  CFLicenses: 'getCFLicense: one CFLicense',
  CFItemTypes: 'getCFItemType: a CFItemType and its children (by hierarchyCode)',
  CFRubrics: 'getCFRubric: one CFRubric with its criteria and levels',
};
/** The endpoints whose output depends on the URI-extras option (packaged classes). */
const withExtras = new Set<Endpoint>(['CFPackages', 'CFItemAssociations']);

const DISCOVERY = 'imscasev1p1_openapi3_v1p0.json';
let discovery: Buffer | undefined;

/**
 * The CASE REST API (read side) for one version; index.ts registers it under /ims/case/v1p0 and /ims/case/v1p1.
 * Verbatim CASE documents: no response schemas (STYLE.md).
 */
export default async function caseRoutes(app: FastifyInstance, { version }: { version: CaseVersion }) {
  const tags = [version === '1.0' ? 'CASE 1.0' : 'CASE 1.1'];
  const reader = (req: FastifyRequest, uriExtras?: string): Reader => ({
    db: app.store.db,
    principal: req.principal,
    opts: { version, publicUrl: app.config.publicUrl, uriExtras: isOn(uriExtras, app.config.caseUriExtras) },
  });

  app.get<{ Querystring: CollectionQuery }>('/CFDocuments', {
    schema: {
      tags,
      summary: 'getAllCFDocuments: every public CFDocument (limit, offset, sort, orderBy, filter, fields)',
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, description: 'Page size (default 100)' },
          offset: { type: 'integer', minimum: 0, description: 'Index of the first record (default 0)' },
          sort: { type: 'string', description: 'A CFDocument field; an unknown field gives the default order (title)' },
          orderBy: { type: 'string', enum: ['asc', 'desc'] },
          filter: { type: 'string', description: "<field><= != > >= < <= ~>'<value>' joined by ' AND ' / ' OR '" },
          fields: { type: 'string', description: 'Comma-separated CFDocument fields to return' },
        },
      },
    },
  }, async (req, reply) => {
    const result = await allDocuments(reader(req), req.query);
    const url = new URL(req.url, app.config.publicUrl);
    const target = `${app.config.publicUrl}${url.pathname}`;
    const links = pageLinks(result.total, result.limit, result.offset).map((l) => {
      const params = new URLSearchParams(url.searchParams);
      params.set('limit', String(l.limit));
      params.set('offset', String(l.offset));
      return `<${target}?${params}>; rel="${l.rel}"`;
    });
    reply.header('X-Total-Count', String(result.total));
    reply.header('Link', links.join(', '));
    if (result.sortWarning) reply.header('Warning', `299 - "${result.sortWarning.replace(/["\\]/g, '')}"`);
    return sendCached(req, reply, { CFDocuments: result.page }, result.lastModified);
  });

  for (const endpoint of endpoints) {
    app.get<{ Params: { sourcedId: string }; Querystring: { uriExtras?: string } }>(`/${endpoint}/:sourcedId`, {
      schema: {
        tags,
        summary: summaries[endpoint],
        params: { type: 'object', properties: { sourcedId: { type: 'string', description: 'The identifier (a lower-case UUID)' } }, required: ['sourcedId'] },
        ...(withExtras.has(endpoint)
          ? { querystring: { type: 'object', properties: { uriExtras: { ...flag, description: 'Add CFDocumentURI/CFPackageURI inside (not schema-valid); default SHIRUBE_CASE_URI_EXTRAS' } } } }
          : {}),
      },
    }, async (req, reply) => {
      const answer = await readResource(reader(req, withExtras.has(endpoint) ? req.query.uriExtras : undefined), endpoint, req.params.sourcedId);
      return sendCached(req, reply, answer.body, answer.lastModified);
    });
  }

  if (version === '1.1') {
    app.get(`/discovery/${DISCOVERY}`, {
      schema: { tags, summary: 'The official CASE 1.1 OpenAPI 3.0 document (discovery), verbatim' },
    }, async (req, reply) => {
      discovery ??= readFileSync(assetPath(`schemas/case/${DISCOVERY}`));
      return sendCached(req, reply, discovery.toString('utf8'), undefined);
    });
  }
}
