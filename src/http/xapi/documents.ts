import type { FastifyInstance, FastifyReply } from 'fastify';
import { ShirubeError } from '../../errors.js';
import { checkInput } from '../../input.js';
import {
  deleteDocument,
  getActivityObject,
  getDocument,
  listDocuments,
  personOf,
  validateAgentParam,
  writeDocument,
  type DocumentScope,
  type Json,
} from '../../lrs/index.js';
import { isIri, isUuid, parseTimestamp } from '../../lrs/formats.js';
import { requireAccess, type LrsAccess } from './access.js';
import type { XapiRequest } from './request.js';

const bad = (field: string, message: string) => new ShirubeError('invalid_request', `${field}: ${message}`, field);

function agentParam(x: XapiRequest): Json {
  const v = x.params['agent'];
  if (v === undefined) throw bad('agent', 'is required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw bad('agent', 'must be an Agent as JSON');
  }
  checkInput(parsed, 'agent');
  return validateAgentParam(parsed, x.version, 'agent', true);
}

function activityParam(x: XapiRequest, name = 'activityId'): string {
  const v = x.params[name];
  if (v === undefined) throw bad(name, 'is required');
  if (!isIri(v)) throw bad(name, 'must be an IRI');
  return v;
}

function checkParams(x: XapiRequest, allowed: string[]): void {
  for (const k of Object.keys(x.params)) if (!allowed.includes(k)) throw bad(k, 'is not a parameter of this resource');
}

interface DocumentResource {
  url: string;
  summary: string;
  access: LrsAccess;
  idParam: 'stateId' | 'profileId';
  /** Parameters besides the document id and since. */
  params: string[];
  scope: (x: XapiRequest) => DocumentScope;
  /** DELETE without an id removes every document of the scope (State only). */
  deleteAll: boolean;
}

const resources: DocumentResource[] = [
  {
    url: '/activities/state',
    summary: 'State documents of an Activity, Agent (and registration)',
    access: 'state',
    idParam: 'stateId',
    params: ['activityId', 'agent', 'registration'],
    deleteAll: true,
    scope: (x) => {
      const registration = x.params['registration'];
      if (registration !== undefined && !isUuid(registration)) throw bad('registration', 'must be a UUID');
      return { kind: 'state', activityId: activityParam(x), agent: agentParam(x), registration };
    },
  },
  {
    url: '/activities/profile',
    summary: 'Activity Profile documents',
    access: 'profile',
    idParam: 'profileId',
    params: ['activityId'],
    deleteAll: false,
    scope: (x) => ({ kind: 'activity_profile', activityId: activityParam(x) }),
  },
  {
    url: '/agents/profile',
    summary: 'Agent Profile documents',
    access: 'profile',
    idParam: 'profileId',
    params: ['agent'],
    deleteAll: false,
    scope: (x) => ({ kind: 'agent_profile', agent: agentParam(x) }),
  },
];

/** The State, Activity Profile and Agent Profile resources (Communication §2.2–2.7), Activities and Agents. */
export default async function documentRoutes(app: FastifyInstance) {
  const db = () => app.store.db;

  async function handle(r: DocumentResource, x: XapiRequest, reply: FastifyReply) {
    requireAccess(x.principal, r.access);
    checkParams(x, [...r.params, r.idParam, ...(x.method === 'GET' ? ['since'] : [])]);
    const scope = r.scope(x);
    const id = x.params[r.idParam];
    const pre = { ifMatch: x.headers['if-match'], ifNoneMatch: x.headers['if-none-match'] };
    switch (x.method) {
      case 'GET': {
        if (id !== undefined) {
          const d = await getDocument(db(), scope, id);
          return reply.header('ETag', d.etag).header('Last-Modified', d.updated.toUTCString()).type(d.contentType || 'application/octet-stream').send(d.content);
        }
        const since = x.params['since'];
        const sinceDate = since === undefined ? undefined : parseTimestamp(since)?.date;
        if (since !== undefined && !sinceDate) throw bad('since', 'must be an ISO 8601 timestamp');
        const { ids, updated } = await listDocuments(db(), scope, sinceDate);
        if (updated) reply.header('Last-Modified', updated.toUTCString());
        return reply.type('application/json; charset=utf-8').send(ids);
      }
      case 'PUT':
      case 'POST': {
        if (id === undefined) throw bad(r.idParam, 'is required');
        const etag = await writeDocument(db(), scope, id, { content: x.body, contentType: x.contentType || 'application/octet-stream' }, x.method === 'PUT' ? 'put' : 'post', pre, x.version);
        return reply.code(204).header('ETag', etag).send();
      }
      case 'DELETE': {
        if (id === undefined && !r.deleteAll) throw bad(r.idParam, 'is required');
        await deleteDocument(db(), scope, id, pre);
        return reply.code(204).send();
      }
    }
  }

  for (const r of resources) {
    app.route({
      method: ['GET', 'PUT', 'POST', 'DELETE'],
      url: r.url,
      schema: { tags: ['xAPI'], summary: r.summary },
      handler: async (req, reply) => handle(r, req.xapi, reply),
    });
  }

  const getOnly = (x: XapiRequest) => {
    if (x.method !== 'GET') throw bad('method', `${x.method} is not allowed on this resource`);
  };

  app.route({
    method: ['GET', 'POST'],
    url: '/activities',
    schema: { tags: ['xAPI'], summary: 'Activities: the canonical definition of an Activity' },
    handler: async (req) => {
      const x = req.xapi;
      getOnly(x);
      requireAccess(x.principal, 'define');
      checkParams(x, ['activityId']);
      return getActivityObject(db(), activityParam(x));
    },
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/agents',
    schema: { tags: ['xAPI'], summary: 'Agents: the Person object of an Agent (every identifier of the same learner)' },
    handler: async (req) => {
      const x = req.xapi;
      getOnly(x);
      requireAccess(x.principal, 'define');
      checkParams(x, ['agent']);
      return personOf(db(), agentParam(x));
    },
  });
}
