import type { FastifyInstance } from 'fastify';
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_PATTERN,
  actorOf,
  apiScopes,
  canAdminister,
  createApiClient,
  createOrganization,
  createUser,
  getUserView,
  listApiClients,
  listOrganizations,
  listUsers,
  locales,
  organizationKinds,
  revokeApiClient,
  setUserPassword,
  setUserRoles,
  updateUserAccount,
  type OrganizationView,
  type RoleGrant,
} from '../../auth/index.js';
import { authorize } from '../plugins/auth.js';
import { errorSchema, roleGrantSchema } from './auth.js';

const security: { [scheme: string]: string[] }[] = [{ oauth2: ['case:admin'] }, { session: [] }];
const tags = ['Administration'];
const str = (max: number) => ({ type: 'string', maxLength: max }) as const;

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    locale: { type: 'string' },
    disabled: { type: 'boolean' },
    roles: { type: 'array', items: roleGrantSchema },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;
const organizationSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, parentId: { type: ['string', 'null'] }, createdAt: { type: 'string' } },
} as const;
const clientProperties = {
  clientId: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'array', items: { type: 'string' } },
  ownerUserId: { type: ['string', 'null'] },
  createdAt: { type: 'string', format: 'date-time' },
  revokedAt: { type: ['string', 'null'], format: 'date-time' },
} as const;

const rolesBody = { type: 'array', maxItems: 1000, items: roleGrantSchema } as const;
const password = { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX } as const;
const userIdParams = { type: 'object', required: ['id'], properties: { id: str(100) } } as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

/**
 * Users, role grants, organizations and API clients (`/api/admin`): administrators only (an admin role, or an API
 * client with `case:admin`). Every write is audited by the domain functions.
 */
export default async function adminRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  // onRequest: nobody gets 401 and the wrong role 403 before their body is even parsed.
  app.addHook('onRequest', async (req) => authorize(req, canAdminister, 'administer users, organizations and API clients'));

  app.get('/users', { schema: { tags, security, summary: 'List users with their roles', response: { 200: { type: 'array', items: userSchema }, ...errors } } }, async () =>
    listUsers(db()),
  );

  app.post<{ Body: { username: string; displayName?: string; password?: string; locale?: string; roles?: RoleGrant[] } }>('/users', {
    schema: {
      tags,
      security,
      summary: 'Create a user',
      description: 'Without a password the user cannot sign in until one is set.',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['username'],
        properties: {
          username: { type: 'string', pattern: USERNAME_PATTERN },
          displayName: str(200),
          password,
          locale: { type: 'string', enum: locales },
          roles: rolesBody,
        },
      },
      response: { 201: userSchema, ...errors },
    },
  }, async (req, reply) => reply.code(201).send(await createUser(db(), req.body, actorOf(req.principal))));

  app.get<{ Params: { id: string } }>('/users/:id', {
    schema: { tags, security, summary: 'One user with their roles', params: userIdParams, response: { 200: userSchema, ...errors } },
  }, async (req) => getUserView(db(), req.params.id));

  app.patch<{ Params: { id: string }; Body: { displayName?: string; locale?: string; disabled?: boolean } }>('/users/:id', {
    schema: {
      tags,
      security,
      summary: 'Change a user: display name, locale, or disable (ends their sessions) / re-enable',
      params: userIdParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { displayName: str(200), locale: { type: 'string', enum: locales }, disabled: { type: 'boolean' } },
      },
      response: { 200: userSchema, ...errors },
    },
  }, async (req) => updateUserAccount(db(), req.params.id, req.body, actorOf(req.principal)));

  app.put<{ Params: { id: string }; Body: { roles: RoleGrant[] } }>('/users/:id/roles', {
    schema: {
      tags,
      security,
      summary: "Replace a user's role grants",
      description: 'admin: global; author, reviewer: framework or organization; teacher: class; learner: self. The last active admin keeps the admin role.',
      params: userIdParams,
      body: { type: 'object', additionalProperties: false, required: ['roles'], properties: { roles: rolesBody } },
      response: { 200: userSchema, ...errors },
    },
  }, async (req) => setUserRoles(db(), req.params.id, req.body.roles, actorOf(req.principal)));

  app.put<{ Params: { id: string }; Body: { password: string } }>('/users/:id/password', {
    schema: {
      tags,
      security,
      summary: "Reset a user's password (ends their sessions)",
      params: userIdParams,
      body: { type: 'object', additionalProperties: false, required: ['password'], properties: { password } },
      response: { 204: { type: 'null' }, ...errors },
    },
  }, async (req, reply) => {
    await setUserPassword(db(), req.params.id, req.body.password, actorOf(req.principal));
    return reply.code(204).send();
  });

  app.get('/organizations', {
    schema: { tags, security, summary: 'List organizations', response: { 200: { type: 'array', items: organizationSchema }, ...errors } },
  }, async () => listOrganizations(db()));

  app.post<{ Body: { name: string; kind: OrganizationView['kind']; parentId?: string | null } }>('/organizations', {
    schema: {
      tags,
      security,
      summary: 'Create an organization (education authority, board or school)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, kind: { type: 'string', enum: organizationKinds }, parentId: { type: ['string', 'null'], maxLength: 100 } },
      },
      response: { 201: organizationSchema, ...errors },
    },
  }, async (req, reply) => reply.code(201).send(await createOrganization(db(), req.body, actorOf(req.principal))));

  app.get('/clients', {
    schema: { tags, security, summary: 'List API clients (never their secrets)', response: { 200: { type: 'array', items: { type: 'object', properties: clientProperties } }, ...errors } },
  }, async () => listApiClients(db()));

  app.post<{ Body: { name: string; scopes: string[]; ownerUserId?: string | null } }>('/clients', {
    schema: {
      tags,
      security,
      summary: 'Create an API client; the response holds its secret, shown this once',
      description: `Scopes: ${Object.entries(apiScopes).map(([s, d]) => `\`${s}\` (${d})`).join(', ')}.`,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'scopes'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: Object.keys(apiScopes) } },
          ownerUserId: { type: ['string', 'null'], maxLength: 100 },
        },
      },
      response: { 201: { type: 'object', properties: { ...clientProperties, clientSecret: { type: 'string' } } }, ...errors },
    },
  }, async (req, reply) => reply.code(201).send(await createApiClient(db(), req.body, actorOf(req.principal))));

  app.delete<{ Params: { clientId: string } }>('/clients/:clientId', {
    schema: {
      tags,
      security,
      summary: 'Revoke an API client: its tokens stop working at once',
      params: { type: 'object', required: ['clientId'], properties: { clientId: str(100) } },
      response: { 204: { type: 'null' }, ...errors },
    },
  }, async (req, reply) => {
    await revokeApiClient(db(), req.params.clientId, actorOf(req.principal));
    return reply.code(204).send();
  });
}
