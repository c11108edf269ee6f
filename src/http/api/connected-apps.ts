import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, canAdminister, connectedApps, disableObClient, listObClients, withdrawConsent, type Principal } from '../../auth/index.js';
import { learnerOfUser } from '../../progress/index.js';
import { ShirubeError } from '../../errors.js';
import { authorize } from '../plugins/auth.js';
import { errorSchema } from './auth.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const clientIdParams = (name: string) => ({ type: 'object', additionalProperties: false, required: [name], properties: { [name]: { type: 'string', minLength: 1, maxLength: 200 } } }) as const;

/** What both the learner's and the administrator's lists say of a client. */
const clientProperties = {
  clientId: { type: 'string' },
  clientName: { type: 'string' },
  clientUri: { type: ['string', 'null'] },
  logoUri: { type: ['string', 'null'] },
  scopes: strings,
} as const;
const connectedAppSchema = {
  type: 'object',
  properties: {
    ...clientProperties,
    firstGrantedAt: { type: 'string', format: 'date-time' },
    lastUsedAt: nullableTime,
    tokensActive: { type: 'boolean' },
  },
} as const;
const obClientSchema = {
  type: 'object',
  properties: {
    ...clientProperties,
    tosUri: { type: ['string', 'null'] },
    policyUri: { type: ['string', 'null'] },
    redirectUris: strings,
    createdAt: { type: 'string', format: 'date-time' },
    disabledAt: nullableTime,
    learners: { type: 'integer', description: 'How many learners have a grant to it' },
  },
} as const;

type Security = { [scheme: string]: string[] }[];
const isLearner = (p: Principal) => p.kind === 'user' && p.roles.some((r) => r.role === 'learner');

/**
 * The Open Badges 3.0 API's clients as the web UI sees them (docs/badges.md): a learner's connected apps, which they
 * can disconnect (`/api/badges/connected-apps`), and every registered client for administrators, who can disable
 * one (`/api/admin/ob-clients`).
 */
export default async function connectedAppRoutes(app: FastifyInstance) {
  const db = () => app.store.db;

  /** The signed-in learner's own learner id: only a learner manages the apps they allowed, for themselves. */
  const ownLearner = async (req: FastifyRequest): Promise<string> => {
    authorize(req, isLearner, 'manage the apps connected to your badges (learners only)');
    const learnerId = await learnerOfUser(db(), (req.principal as Extract<Principal, { kind: 'user' }>).userId);
    if (!learnerId) throw new ShirubeError('forbidden', 'This account is not linked to a learner');
    return learnerId;
  };
  const learnerDoc = { tags: ['Badges'], security: [{ session: [] }] as Security };

  app.get('/badges/connected-apps', {
    schema: {
      ...learnerDoc,
      summary: 'The apps (wallets, platforms) the signed-in learner allowed to reach their badges through the Open Badges API',
      response: { 200: { type: 'object', properties: { apps: { type: 'array', items: connectedAppSchema } } }, ...errors },
    },
  }, async (req) => ({ apps: await connectedApps(db(), await ownLearner(req)) }));

  app.delete<{ Params: { clientId: string } }>('/badges/connected-apps/:clientId', {
    schema: {
      ...learnerDoc,
      summary: 'Disconnect an app: withdraws the learner’s consent, ending its access and refresh tokens at once; audited',
      params: clientIdParams('clientId'),
      response: { 204: { type: 'null' }, ...errors },
    },
  }, async (req, reply) => {
    await withdrawConsent(db(), await ownLearner(req), req.params.clientId, actorOf(req.principal));
    req.log.info({ clientId: req.params.clientId }, 'OB API consent withdrawn');
    return reply.code(204).send();
  });

  const adminDoc = { tags: ['Administration'], security: [{ oauth2: ['case:admin'] }, { session: [] }] as Security };
  const adminOnly = async (req: FastifyRequest) => authorize(req, canAdminister, 'manage Open Badges API clients');

  app.get('/admin/ob-clients', {
    onRequest: adminOnly,
    schema: {
      ...adminDoc,
      summary: 'The Open Badges API clients that registered themselves (wallets, platforms): never their secrets, nor which learners use them',
      response: { 200: { type: 'object', properties: { clients: { type: 'array', items: obClientSchema } } }, ...errors },
    },
  }, async () => ({ clients: await listObClients(db()) }));

  app.post<{ Params: { id: string } }>('/admin/ob-clients/:id/disable', {
    onRequest: adminOnly,
    schema: {
      ...adminDoc,
      summary: 'Disable an Open Badges API client: every grant and token it holds ends at once, and it gets no new ones; audited',
      params: clientIdParams('id'),
      response: { 200: obClientSchema, ...errors },
    },
  }, async (req) => disableObClient(db(), req.params.id, actorOf(req.principal)));
}
