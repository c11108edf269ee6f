import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OB_SCOPE, obScopes } from '../../auth/index.js';
import { learnerCredentials, learnerProfile, PROFILE_FIELDS, putLearnerProfile, receiveCredential } from '../../badges/index.js';
import { ShirubeError } from '../../errors.js';
import { badgeContext } from './context.js';
import { useObErrors } from './errors.js';
import { refuseAnonymousWrites } from '../plugins/auth.js';
import { policyPage } from './pages.js';
import { badgeSvg } from './public.js';

export const OB_API_PREFIX = '/ims/ob/v3p0';
const tags = ['Open Badges 3.0 API'];
const statusInfo = {
  type: 'object',
  description: 'imsx_StatusInfo',
  properties: {
    imsx_codeMajor: { type: 'string' },
    imsx_severity: { type: 'string' },
    imsx_description: { type: 'string' },
    imsx_codeMinor: { type: 'object', properties: { imsx_codeMinorField: { type: 'array', items: { type: 'object', properties: { imsx_codeMinorFieldName: { type: 'string' }, imsx_codeMinorFieldValue: { type: 'string' } } } } } },
  },
} as const;
const errors = { 400: statusInfo, 401: statusInfo, 403: statusInfo, 404: statusInfo };
const security = (scope: string) => [{ OAuth2ACG: [scope] }];
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * The learner an OB API token acts for, if it carries `scope`: 401 without a token, 403 (with RFC 6750's
 * insufficient_scope challenge) for any other caller or a token without the scope.
 */
function learnerFor(req: FastifyRequest, reply: FastifyReply, scope: string): string {
  const p = req.principal;
  if (p.kind === 'anonymous') throw new ShirubeError('unauthorized', 'Authorization: an OAuth 2.0 bearer token is required (see /ims/ob/v3p0/discovery)', 'Authorization');
  if (p.kind !== 'client' || !p.learnerId || !p.scopes.includes(scope)) {
    reply.header('WWW-Authenticate', `Bearer realm="shirube", error="insufficient_scope", scope="${scope}"`);
    throw new ShirubeError('forbidden', `Authorization: the token needs the scope ${scope}, granted by a learner`, 'scope');
  }
  return p.learnerId;
}

/** The OAuth 2.0 security scheme of the OB API (also in Shirube's own /openapi.json, with relative URLs). */
export const oauth2Acg = (publicUrl: string) => ({
  type: 'oauth2' as const,
  description: 'OAuth 2.0 authorization code grant with PKCE (S256 required); clients register dynamically (RFC 7591) at /oauth/register.',
  flows: {
    authorizationCode: {
      authorizationUrl: `${publicUrl}/oauth/authorize`,
      tokenUrl: `${publicUrl}/oauth/token`,
      refreshUrl: `${publicUrl}/oauth/token`,
      scopes: { ...obScopes },
    },
  },
});

/** The Service Description Document (OB 3.0 §getServiceDescription): an OpenAPI document with 1EdTech's x-imssf fields. */
export function serviceDescription(publicUrl: string) {
  const op = (operationId: string, summary: string, scope: string | null, ok: Record<string, unknown>) => ({
    operationId,
    summary,
    tags: [operationId === 'getServiceDescription' ? 'Discovery' : operationId.includes('Profile') ? 'Profile' : 'OpenBadgeCredentials'],
    ...(scope ? { security: security(scope) } : {}),
    responses: { ...ok, default: { description: 'An error: imsx_StatusInfo', content: { 'application/json': { schema: { $ref: '#/components/schemas/Imsx_StatusInfo' } } } } },
  });
  const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
  return {
    openapi: '3.0.1',
    info: {
      title: 'Shirube Open Badges 3.0 API',
      description: 'The Open Badges 3.0 credentials of a learner who allowed the app (Course of Study micro-credentials).',
      version: '3.0',
      termsOfService: `${publicUrl}${OB_API_PREFIX}/policy#terms`,
      'x-imssf-privacyPolicyUrl': `${publicUrl}${OB_API_PREFIX}/policy#privacy`,
      'x-imssf-image': `data:image/svg+xml;base64,${Buffer.from(badgeSvg('Shirube', 'Shirube')).toString('base64')}`,
    },
    servers: [{ url: `${publicUrl}${OB_API_PREFIX}`, description: 'Shirube' }],
    tags: [{ name: 'OpenBadgeCredentials' }, { name: 'Profile' }, { name: 'Discovery' }],
    paths: {
      '/credentials': {
        get: { ...op('getCredentials', 'The learner’s OpenBadgeCredentials (limit, offset, since; X-Total-Count and Link headers)', OB_SCOPE.credentialRead, { 200: json('GetOpenBadgeCredentialsResponse') }), parameters: ['limit', 'offset', 'since'].map((name) => ({ name, in: 'query', required: false, schema: name === 'since' ? { type: 'string', format: 'date-time' } : { type: 'integer', minimum: name === 'limit' ? 1 : 0 } })) },
        post: op('upsertCredential', 'Put a credential into the learner’s passport (verified first)', OB_SCOPE.credentialUpsert, { 200: json('Replaced'), 201: json('Created'), 304: { description: 'The same credential was there already' } }),
      },
      '/profile': {
        get: op('getProfile', 'The learner’s Profile', OB_SCOPE.profileRead, { 200: json('Profile') }),
        put: op('putProfile', 'Replace what the learner set in their Profile', OB_SCOPE.profileUpdate, { 200: json('Profile') }),
      },
      '/discovery': { get: op('getServiceDescription', 'This document', null, { 200: json('ServiceDescriptionDocument') }) },
    },
    components: {
      securitySchemes: {
        OAuth2ACG: { ...oauth2Acg(publicUrl), 'x-imssf-registrationUrl': `${publicUrl}/oauth/register` },
      },
      schemas: {
        Imsx_StatusInfo: { ...statusInfo, required: ['imsx_codeMajor', 'imsx_severity'] },
      },
    },
  };
}

/** `Link` (RFC 8288) to the first, previous, next and last pages of getCredentials. */
function pageLinks(base: string, query: URLSearchParams, offset: number, limit: number, total: number): string {
  const at = (o: number) => {
    const q = new URLSearchParams(query);
    q.set('limit', String(limit));
    q.set('offset', String(o));
    return `<${base}?${q}>`;
  };
  const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [`${at(0)}; rel="first"`];
  if (offset > 0) links.push(`${at(Math.max(0, offset - limit))}; rel="prev"`);
  if (offset + limit < total) links.push(`${at(offset + limit)}; rel="next"`);
  links.push(`${at(last)}; rel="last"`);
  return links.join(', ');
}

/**
 * The Open Badges 3.0 API (`/ims/ob/v3p0`, OB 3.0 §API) for wallets and other platforms, acting for a learner who
 * consented (../oauth.ts, ./authorize.ts): discovery, getCredentials, upsertCredential, getProfile, putProfile.
 * Errors are imsx_StatusInfo.
 */
export default async function obApi(app: FastifyInstance) {
  useObErrors(app);
  refuseAnonymousWrites(app);
  // Credentials also come as JSON-LD media types.
  app.addContentTypeParser(['application/ld+json', 'application/vc+ld+json'], { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  const db = () => app.store.db;

  app.get('/discovery', {
    schema: { tags, summary: 'getServiceDescription: the Service Description Document (public)' },
  }, async () => serviceDescription(app.config.publicUrl));

  app.get('/policy', { schema: { tags, summary: 'The privacy policy and terms of service the discovery document names (HTML)' } }, async (_req, reply) => policyPage(reply));

  app.get<{ Querystring: { limit?: number; offset?: number; since?: string } }>('/credentials', {
    schema: {
      tags,
      security: security(OB_SCOPE.credentialRead),
      summary: 'getCredentials: the learner’s OpenBadgeCredentials as issued (and those received), paged',
      description: 'X-Total-Count gives the total; Link the first, prev, next and last pages. Signed JSON credentials are in `credential`, VC-JWTs in `compactJwsString`.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT }, offset: { type: 'integer', minimum: 0 }, since: { type: 'string', format: 'date-time' } },
      },
      response: errors,
    },
  }, async (req, reply) => {
    const learnerId = learnerFor(req, reply, OB_SCOPE.credentialRead);
    const { limit = DEFAULT_LIMIT, offset = 0, since } = req.query;
    const all = await learnerCredentials(db(), learnerId, since === undefined ? undefined : new Date(since));
    const page = all.slice(offset, offset + limit);
    const query = new URLSearchParams(since === undefined ? {} : { since });
    reply.header('X-Total-Count', String(all.length)).header('Link', pageLinks(`${app.config.publicUrl}${OB_API_PREFIX}/credentials`, query, offset, limit, all.length)).header('Cache-Control', 'no-store');
    return {
      credential: page.flatMap((c) => ('json' in c ? [c.json] : [])),
      compactJwsString: page.flatMap((c) => ('jws' in c ? [c.jws] : [])),
    };
  });

  app.post<{ Body: unknown }>('/credentials', {
    schema: {
      tags,
      security: security(OB_SCOPE.credentialUpsert),
      summary: 'upsertCredential: put a credential (JSON, or a VC-JWT as text/plain) into the learner’s passport; 201 new, 200 replaced, 304 the same credential again; 400 names the failed check',
      response: errors,
    },
  }, async (req, reply) => {
    const learnerId = learnerFor(req, reply, OB_SCOPE.credentialUpsert);
    const principal = req.principal as { clientId: string };
    const { outcome, id } = await receiveCredential(badgeContext(app), learnerId, req.body, principal.clientId);
    req.log.info({ clientId: principal.clientId, outcome }, 'OB API credential received');
    // 304: the very credential was there already (RFC 9110: no body).
    if (outcome === 'unchanged') return reply.code(304).header('Content-Location', id).send();
    const body = typeof req.body === 'string' ? req.body.trim() : req.body;
    return reply.code(outcome === 'replaced' ? 200 : 201).header('Content-Location', id).type(typeof body === 'string' ? 'text/plain' : 'application/json').send(body);
  });

  app.get('/profile', {
    schema: { tags, security: security(OB_SCOPE.profileRead), summary: 'getProfile: the learner’s Profile (an opaque id; only what the learner set)', response: errors },
  }, async (req, reply) => learnerProfile(db(), learnerFor(req, reply, OB_SCOPE.profileRead)));

  app.put<{ Body: Record<string, unknown> }>('/profile', {
    schema: {
      tags,
      security: security(OB_SCOPE.profileUpdate),
      summary: `putProfile: replace what the learner sets in their Profile (${PROFILE_FIELDS.join(', ')})`,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          '@context': {},
          id: { type: 'string' },
          type: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          name: { type: 'string', maxLength: 200 },
          givenName: { type: 'string', maxLength: 200 },
          familyName: { type: 'string', maxLength: 200 },
          email: { type: 'string', format: 'email', maxLength: 320 },
          url: { type: 'string', format: 'uri', maxLength: 2000 },
          phone: { type: 'string', maxLength: 50 },
          description: { type: 'string', maxLength: 2000 },
          image: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'type'],
            properties: { id: { type: 'string', format: 'uri', maxLength: 100_000 }, type: { const: 'Image' }, caption: { type: 'string', maxLength: 500 } },
          },
        },
      },
      response: errors,
    },
  }, async (req, reply) => putLearnerProfile(db(), learnerFor(req, reply, OB_SCOPE.profileUpdate), req.body));
}
