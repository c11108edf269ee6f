import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canAdminister } from '../../auth/index.js';
import { contextOfClass, getPlatform, linkContext, listContexts, listPlatforms, registerPlatform, removePlatform, syncRoster, toolEndpoints, toolJwks, updatePlatform, type PlatformInput } from '../../lti/index.js';
import { requireClassAccess } from '../../progress/index.js';
import { authorize } from '../plugins/auth.js';
import { ltiContext } from '../lti.js';
import { errorSchema } from './auth.js';
import { viewerOf } from './progress.js';

const security: { [scheme: string]: string[] }[] = [{ session: [] }, { oauth2: ['case:admin'] }];
const tags = ['LTI'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const id = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/?#\\s]+$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const url = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const platformBody = {
  type: 'object',
  additionalProperties: false,
  required: ['issuer', 'clientId', 'deploymentIds', 'authLoginUrl', 'accessTokenUrl', 'jwksUrl'],
  properties: {
    label: { type: 'string', maxLength: 200 },
    issuer: url,
    clientId: { type: 'string', minLength: 1, maxLength: 255 },
    deploymentIds: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 255 } },
    authLoginUrl: url,
    accessTokenUrl: url,
    jwksUrl: url,
    schoolId: { type: ['string', 'null'], maxLength: 200 },
    trustAdministrators: { type: 'boolean' },
  },
} as const;
const platformView = {
  type: 'object',
  properties: {
    id: { type: 'string' }, label: { type: 'string' }, issuer: { type: 'string' }, clientId: { type: 'string' }, deploymentIds: { type: 'array', items: { type: 'string' } },
    authLoginUrl: { type: 'string' }, accessTokenUrl: { type: 'string' }, jwksUrl: { type: 'string' }, schoolId: { type: ['string', 'null'] }, trustAdministrators: { type: 'boolean' }, createdAt: { type: 'string' },
  },
} as const;
const contextView = { type: 'object', properties: { id: { type: 'string' }, platformId: { type: 'string' }, contextId: { type: 'string' }, title: { type: 'string' }, classId: { type: ['string', 'null'] }, membershipsUrl: { type: ['string', 'null'] } } } as const;
const syncReport = {
  type: 'object',
  properties: {
    classId: { type: 'string' }, members: { type: 'integer' }, pages: { type: 'integer' },
    added: { type: 'object', properties: { learners: { type: 'integer' }, teachers: { type: 'integer' } } }, removed: { type: 'integer' }, unchanged: { type: 'integer' },
  },
} as const;

/**
 * LTI 1.3 platforms (`/api/admin/lti`, administrators): registrations, the contexts launches brought and the
 * classes they are linked to, the tool's URLs and keys; and the roster sync a class's teacher may ask for
 * (`/api/lti/classes/{id}/roster-sync`). docs/lti.md.
 */
export default async function ltiApiRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  const admin = (req: FastifyRequest) => authorize(req, canAdminister, 'manage LTI platforms');

  app.get('/admin/lti/tool', {
    schema: { tags, security, summary: 'What a platform’s administrator registers: the tool’s login, launch, deep linking and JWKS URLs, and its keys', response: { 200: { type: 'object', additionalProperties: true }, ...errors } },
  }, async (req) => {
    admin(req);
    return { ...toolEndpoints(app.config.publicUrl), jwks: await toolJwks(ltiContext(app)) };
  });
  app.get('/admin/lti/platforms', { schema: { tags, security, summary: 'Registered LTI 1.3 platforms', response: { 200: { type: 'object', properties: { platforms: { type: 'array', items: platformView } } }, ...errors } } }, async (req) => {
    admin(req);
    return { platforms: await listPlatforms(db()) };
  });
  app.post<{ Body: PlatformInput }>('/admin/lti/platforms', {
    schema: { tags, security, summary: 'Register an LTI 1.3 platform (issuer, client id, deployment ids, its OIDC login, token and JWKS URLs)', body: platformBody, response: { 201: platformView, ...errors } },
  }, async (req, reply) => {
    admin(req);
    return reply.code(201).send(await registerPlatform(db(), req.body, actorOf(req.principal)));
  });
  app.get<{ Params: { id: string } }>('/admin/lti/platforms/:id', { schema: { tags, security, summary: 'One LTI platform', params: idParams, response: { 200: platformView, ...errors } } }, async (req) => {
    admin(req);
    return getPlatform(db(), req.params.id);
  });
  app.put<{ Params: { id: string }; Body: PlatformInput }>('/admin/lti/platforms/:id', {
    schema: { tags, security, summary: 'Change an LTI platform’s registration', params: idParams, body: platformBody, response: { 200: platformView, ...errors } },
  }, async (req) => {
    admin(req);
    return updatePlatform(db(), req.params.id, req.body, actorOf(req.principal));
  });
  app.delete<{ Params: { id: string } }>('/admin/lti/platforms/:id', {
    schema: { tags, security, summary: 'Remove an LTI platform (its launches stop; accounts, classes and records stay)', params: idParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (req, reply) => {
    admin(req);
    await removePlatform(db(), req.params.id, actorOf(req.principal));
    return reply.code(204).send();
  });

  app.get<{ Querystring: { platform?: string } }>('/admin/lti/contexts', {
    schema: { tags, security, summary: 'Courses and classes of the platforms (from launches) and the Shirube classes they are linked to', querystring: { type: 'object', additionalProperties: false, properties: { platform: id } }, response: { 200: { type: 'object', properties: { contexts: { type: 'array', items: contextView } } }, ...errors } },
  }, async (req) => {
    admin(req);
    return { contexts: await listContexts(db(), req.query.platform) };
  });
  app.put<{ Params: { id: string }; Body: { classId: string | null } }>('/admin/lti/contexts/:id', {
    schema: { tags, security, summary: 'Link a platform’s context to a class (null unlinks): its members are enrolled there', params: idParams, body: { type: 'object', additionalProperties: false, required: ['classId'], properties: { classId: { type: ['string', 'null'], maxLength: 200 } } }, response: { 200: contextView, ...errors } },
  }, async (req) => {
    admin(req);
    return linkContext(db(), req.params.id, req.body.classId, actorOf(req.principal));
  });

  app.post<{ Params: { id: string } }>('/lti/classes/:id/roster-sync', {
    schema: { tags, security, summary: 'Provision the class from its LTI context’s members (Names and Role Provisioning Services); reports what changed', params: idParams, response: { 200: syncReport, ...errors, 502: errorSchema } },
  }, async (req) => {
    requireClassAccess(viewerOf(req.principal), req.params.id);
    const context = await contextOfClass(db(), req.params.id);
    return syncRoster(ltiContext(app), context.id, actorOf(req.principal));
  });
}
