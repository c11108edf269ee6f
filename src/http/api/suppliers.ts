import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  actorOf,
  approveClientRequest,
  canAdminister,
  claimClientSecret,
  clientRequestStatus,
  deleteClientRequest,
  FailureLimiter,
  listClientRequests,
  readClientUsage,
  rejectClientRequest,
  requestableScopes,
  submitClientRequest,
  type ClientRequestInput,
} from '../../auth/index.js';
import { isShirubeError, ShirubeError } from '../../errors.js';
import { authorize } from '../plugins/auth.js';
import { errorSchema } from './auth.js';

const tags = ['Suppliers'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 429: errorSchema };
const adminSecurity: { [scheme: string]: string[] }[] = [{ oauth2: ['case:admin'] }, { session: [] }];
/** New requests one address may file per hour. */
export const CLIENT_REQUESTS_PER_HOUR = 5;
/** Wrong claim tokens one address may send per hour. */
export const CLAIM_FAILURES_PER_HOUR = 20;

const scopesSchema = { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: { type: 'string', enum: requestableScopes } } as const;
const requestView = {
  type: 'object',
  properties: {
    id: { type: 'string' }, organization: { type: 'string' }, contactEmail: { type: 'string' }, purpose: { type: 'string' },
    requestedScopes: { type: 'array', items: { type: 'string' } }, status: { type: 'string' }, createdAt: { type: 'string' },
    decidedAt: { type: ['string', 'null'] }, decidedBy: { type: ['string', 'null'] }, decisionNote: { type: ['string', 'null'] },
    grantedScopes: { type: ['array', 'null'], items: { type: 'string' } }, clientId: { type: ['string', 'null'] }, claimedAt: { type: ['string', 'null'] },
  },
} as const;
const claimView = {
  type: 'object',
  properties: {
    id: { type: 'string' }, organization: { type: 'string' }, status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'claimed', 'expired'] },
    requestedScopes: { type: 'array', items: { type: 'string' } }, grantedScopes: { type: ['array', 'null'], items: { type: 'string' } },
    clientId: { type: ['string', 'null'] }, note: { type: ['string', 'null'] }, createdAt: { type: 'string' }, decidedAt: { type: ['string', 'null'] },
    claimUntil: { type: ['string', 'null'] }, clientSecret: { type: 'string' },
  },
} as const;
const usageView = {
  type: 'object',
  properties: {
    clientId: { type: 'string' }, name: { type: ['string', 'null'] }, requests: { type: 'integer' }, errors: { type: 'integer' },
    days: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, requests: { type: 'integer' }, errors: { type: 'integer' } } } },
  },
} as const;
const daysQuery = { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } } as const;
const tokenBody = { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;
const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store');

/**
 * Supplier self-service (docs/suppliers.md): vendors ask for an API client and collect its secret with their claim
 * token; administrators decide; every client reads its own usage and administrators everybody's.
 */
export default async function supplierRoutes(app: FastifyInstance) {
  const db = () => app.store.db;
  const filed = new FailureLimiter(app.store.db, { bucket: 'client-request', max: CLIENT_REQUESTS_PER_HOUR, windowMs: 3_600_000 });
  const wrongTokens = new FailureLimiter(app.store.db, { bucket: 'client-request-claim', max: CLAIM_FAILURES_PER_HOUR, windowMs: 3_600_000 });
  const tooMany = (reply: FastifyReply, wait: number, what: string) => {
    reply.header('Retry-After', String(wait));
    return new ShirubeError('busy', `Too many ${what} from this address; try again in ${Math.ceil(wait / 60)} minute(s)`);
  };

  app.post<{ Body: ClientRequestInput }>('/client-requests', {
    schema: {
      tags,
      summary: 'Ask for an API client (anonymous): answers a claim token, shown this once, to follow the request and collect the secret',
      description: `An administrator approves (choosing the scopes) or rejects. At most ${CLIENT_REQUESTS_PER_HOUR} requests per address and hour. Scopes: ${requestableScopes.join(', ')}.`,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['organization', 'contactEmail', 'purpose', 'scopes'],
        properties: {
          organization: { type: 'string', maxLength: 200 },
          contactEmail: { type: 'string', maxLength: 254 },
          purpose: { type: 'string', maxLength: 2000 },
          scopes: scopesSchema,
        },
      },
      response: { 201: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, createdAt: { type: 'string' }, claimToken: { type: 'string' } } }, ...errors },
    },
    config: { anonymous: true },
  }, async (req, reply) => {
    noStore(reply);
    const wait = await filed.retryAfter(req.ip);
    if (wait > 0) throw tooMany(reply, wait, 'requests');
    const r = await submitClientRequest(db(), req.body);
    await filed.fail(req.ip);
    return reply.code(201).send(r);
  });

  /** A claim-token route: wrong tokens count per address, and the token itself never reaches a log or a URL. */
  const withToken = async <T>(req: FastifyRequest, reply: FastifyReply, f: () => Promise<T>): Promise<T> => {
    noStore(reply);
    const wait = await wrongTokens.retryAfter(req.ip);
    if (wait > 0) throw tooMany(reply, wait, 'wrong claim tokens');
    try {
      return await f();
    } catch (e) {
      if (isShirubeError(e) && e.code === 'not_found') await wrongTokens.fail(req.ip);
      throw e;
    }
  };

  app.post<{ Body: { token: string } }>('/client-requests/status', {
    schema: { tags, summary: "A request's state by its claim token (pending, approved, rejected, claimed, expired); changes nothing", body: tokenBody, response: { 200: claimView, ...errors } },
    config: { anonymous: true },
  }, async (req, reply) => withToken(req, reply, () => clientRequestStatus(db(), req.body.token)));

  app.post<{ Body: { token: string } }>('/client-requests/claim', {
    schema: {
      tags,
      summary: "Collect an approved request's client secret, once (a new secret is made now; a second claim is a 409)",
      body: tokenBody,
      response: { 200: claimView, ...errors },
    },
    config: { anonymous: true },
  }, async (req, reply) => withToken(req, reply, () => claimClientSecret(db(), req.body.token)));

  app.get<{ Querystring: { days: number } }>('/clients/me/usage', {
    schema: {
      tags,
      security: [{ oauth2: [] }],
      summary: "The calling API client's requests per day (UTC), with the answers of 400 and above counted as errors",
      querystring: { type: 'object', additionalProperties: false, properties: daysQuery },
      response: { 200: usageView, ...errors },
    },
  }, async (req) => {
    const p = req.principal;
    if (p.kind !== 'client') throw new ShirubeError(p.kind === 'anonymous' ? 'unauthorized' : 'forbidden', 'Send the API client\'s bearer token (POST /oauth/token): this is a client\'s own usage');
    await app.clientUsage.flush();
    return (await readClientUsage(db(), { days: req.query.days, clientId: p.clientId }))[0];
  });

  await app.register(async (admin) => {
    admin.addHook('onRequest', async (req) => authorize(req, canAdminister, 'decide API client requests and read usage'));

    admin.get<{ Querystring: { status?: 'pending' | 'approved' | 'rejected' } }>('/client-requests', {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'API client requests, newest first (pending, approved or rejected)',
        querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['pending', 'approved', 'rejected'] } } },
        response: { 200: { type: 'array', items: requestView }, ...errors },
      },
    }, async (req) => listClientRequests(db(), req.query.status));

    admin.post<{ Params: { id: string }; Body: { scopes?: string[]; name?: string; note?: string } }>('/client-requests/:id/approve', {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Approve a pending request: makes its API client with the scopes chosen here (by default those requested)',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { scopes: scopesSchema, name: { type: 'string', maxLength: 200, description: 'The client\'s name (default: the organization)' }, note: { type: 'string', maxLength: 2000 } },
        },
        response: { 200: requestView, ...errors },
      },
    }, async (req) => approveClientRequest(db(), req.params.id, req.body ?? {}, actorOf(req.principal)));

    admin.post<{ Params: { id: string }; Body: { note?: string } }>('/client-requests/:id/reject', {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Reject a pending request; the note is shown to the requester',
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 2000 } } },
        response: { 200: requestView, ...errors },
      },
    }, async (req) => rejectClientRequest(db(), req.params.id, req.body?.note, actorOf(req.principal)));

    admin.delete<{ Params: { id: string } }>('/client-requests/:id', {
      schema: { tags, security: adminSecurity, summary: 'Erase a request and its contact address (the client it led to stays until revoked)', params: idParams, response: { 204: { type: 'null' }, ...errors } },
    }, async (req, reply) => {
      await deleteClientRequest(db(), req.params.id, actorOf(req.principal));
      return reply.code(204).send();
    });

    admin.get<{ Querystring: { days: number; clientId?: string } }>('/clients/usage', {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Requests per API client per day (UTC), busiest client first',
        querystring: { type: 'object', additionalProperties: false, properties: { ...daysQuery, clientId: { type: 'string', maxLength: 100 } } },
        response: { 200: { type: 'array', items: usageView }, ...errors },
      },
    }, async (req) => {
      await app.clientUsage.flush();
      return readClientUsage(db(), { days: req.query.days, clientId: req.query.clientId });
    });
  }, { prefix: '/admin' });
}
