import type { FastifyError, FastifyInstance } from 'fastify';
import { canSendCaliper } from '../../auth/index.js';
import { ACCEPTED_ACTIONS, CALIPER_V1P2, UnsupportedDataVersion, acceptEnvelope } from '../../caliper/index.js';
import { asRequestError, isShirubeError } from '../../errors.js';
import { xapiStatus } from '../xapi/errors.js';
import { credentialsPrincipal } from '../plugins/auth.js';
import type { StatementWriter } from '../xapi/writer.js';

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Errors as RFC 7807 problem details (Caliper 1.2 §6.1), with the Caliper field the problem is about. */
function problemOf(err: unknown): { status: number; detail: string; field?: string } {
  err = asRequestError(err);
  if (err instanceof UnsupportedDataVersion) return { status: 422, detail: err.message, field: 'dataVersion' };
  // The same statuses as the LRS's: a sensor is an LRS client speaking another format.
  if (isShirubeError(err)) return { status: xapiStatus[err.code], detail: err.message, ...(err.field ? { field: err.field } : {}) };
  const fe = err as FastifyError;
  const s = fe.statusCode ?? 500;
  if (s >= 400 && s < 500) return { status: s, detail: s === 415 ? 'Content-Type: a Caliper envelope is sent as application/json' : fe.message };
  return { status: 500, detail: 'Internal server error; nothing was stored. Try again later.' };
}

const security = [{ oauth2: ['caliper:write'] }];
const tags = ['Caliper'];

/**
 * The Caliper 1.2 endpoint (`/caliper/v1p2/events`, docs/caliper.md): a sensor POSTs Envelopes; accepted events
 * are stored as xAPI statements through the LRS and become evidence like any statement. Credentials as the LRS's:
 * a bearer token of an API client with caliper:write, or HTTP Basic with its id and secret.
 */
export default async function caliper(app: FastifyInstance, opts: { writer: StatementWriter }) {
  app.setErrorHandler((err, req, reply) => {
    const p = problemOf(err);
    if (p.status >= 500) req.log.error({ err }, 'Caliper request failed');
    if (p.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="caliper"');
    return reply.code(p.status).type('application/problem+json; charset=utf-8').send({ type: 'about:blank', title: TITLES[p.status] ?? 'Error', status: p.status, detail: p.detail, ...(p.field ? { field: p.field } : {}) });
  });
  // Only JSON (§6.1: anything else is a 415).
  app.removeContentTypeParser('text/plain');
  // Who is calling, before the body is read: 401 for nobody, 403 without caliper:write. Sensors may run in a
  // browser (caliper-js): CORS as the LRS's, without cookies (credentials are the Authorization header).
  app.addHook('onRequest', async (req, reply) => {
    reply.header('Access-Control-Allow-Origin', req.headers.origin ?? '*').header('Vary', 'Origin');
    if (req.method === 'OPTIONS') return;
    if (req.principal.kind === 'anonymous') req.principal = await credentialsPrincipal(app.store.db, req.headers.authorization, req.principal);
    if (req.principal.kind === 'anonymous') throw Object.assign(new Error('Authorization: send a bearer token (or HTTP Basic with the client id and secret) of an API client with caliper:write'), { statusCode: 401 });
    if (!canSendCaliper(req.principal)) throw Object.assign(new Error('Not allowed: this client lacks the caliper:write scope'), { statusCode: 403 });
  });

  app.options('/events', { schema: { hide: true } }, async (_req, reply) =>
    reply.code(204).header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS').header('Access-Control-Allow-Headers', 'Authorization, Content-Type').header('Access-Control-Max-Age', '86400').send(),
  );

  app.post('/events', {
    schema: {
      tags,
      security,
      summary: 'Caliper 1.2 sensor endpoint: POST an Envelope of AssessmentItemEvent, AssessmentEvent and GradeEvent events (and entity describes); 200 with an empty body when stored',
      description: 'The body is a Caliper 1.2 Envelope (application/json); it is validated by the Caliper schemas of docs/caliper.md, and errors are RFC 7807 problem details naming the field.',
      response: { 200: { type: 'null', description: 'Stored (all events of the envelope, or none)' } },
    },
  }, async (req, reply) => {
    const r = await acceptEnvelope(app.store.db, req.body, opts.writer('2.0.0', req.principal));
    req.log.info({ events: r.events, entities: r.entities }, 'Caliper envelope stored');
    return reply.code(200).send();
  });

  app.get('/events', {
    schema: { tags, security, summary: 'Caliper 1.2 endpoint configuration (§6.2): supported versions, maximum payload size, accepted events' },
  }, async () => ({
    caliper_maximum_payload_size: Math.floor(app.config.bodyLimit / 1024),
    caliper_supported_versions: [CALIPER_V1P2],
    caliper_supported_extensions: { endpoint_name: 'Shirube', accepted_events: ACCEPTED_ACTIONS },
  }));
}
