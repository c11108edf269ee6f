import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { useXapiErrors } from './errors.js';
import { xapiRequestOf, type XapiRequest } from './request.js';
import statementRoutes from './statements.js';
import documentRoutes from './documents.js';
import extensionPages from './extension-pages.js';
import type { StatementWriter } from './writer.js';

declare module 'fastify' {
  interface FastifyRequest {
    xapi: XapiRequest;
  }
  interface FastifyContextConfig {
    /** About and the extension description pages: no version header or credentials needed. */
    xapiPublic?: boolean;
  }
}

const EXPOSED = [
  'ETag', 'Last-Modified', 'Content-Type', 'Content-Length', 'WWW-Authenticate', 'X-Experience-API-Version', 'X-Experience-API-Consistent-Through',
].join(', ');
const ALLOWED_HEADERS = [
  'Authorization', 'Content-Type', 'Content-Length', 'If-Match', 'If-None-Match', 'Accept-Language', 'X-Experience-API-Version', 'X-Requested-With',
].join(', ');

/**
 * The xAPI LRS (`/xapi`): xAPI 1.0.3 and 2.0.0 by X-Experience-API-Version. Encapsulated: its own body parsers
 * (every body arrives as bytes; resources parse JSON, multipart/mixed and forms themselves), error format, CORS
 * and credentials (HTTP Basic with an API client's id and secret, or an OAuth 2.0 bearer token).
 */
export default async function xapi(app: FastifyInstance, opts: { writer: StatementWriter }) {
  useXapiErrors(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    reply.header('Access-Control-Expose-Headers', EXPOSED);
    reply.header('Vary', 'Origin');
    // A request without the header predates xAPI 1.0 (0.9/0.95 clients did not send it): it gets a 400 labelled 0.95,
    // the answer both the 1.0.3 and the 2.0 conformance suites accept. Every other response names the version served.
    const v = req.headers['x-experience-api-version'];
    reply.header('X-Experience-API-Version', typeof v !== 'string' ? '0.95' : v.startsWith('1.0') ? '1.0.3' : '2.0.0');
  });
  // Every answer to GET /statements, errors included, says up to when the LRS is consistent (Communication §2.1.3).
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    if ((req.method === 'GET' || req.method === 'HEAD' || req.xapi?.method === 'GET') && req.url.split('?')[0]!.endsWith('/statements')) {
      reply.header('X-Experience-API-Consistent-Through', new Date().toISOString());
    }
  });
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method === 'OPTIONS') return;
    req.xapi = await xapiRequestOf(req, app.store.db, { versionOptional: !!req.routeOptions.config.xapiPublic });
    reply.header('X-Experience-API-Version', req.xapi.version);
  });

  // CORS preflight for every resource.
  app.options('/*', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .code(204)
      .header('Access-Control-Allow-Methods', 'HEAD, GET, POST, PUT, DELETE, OPTIONS')
      .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
      .header('Access-Control-Max-Age', '86400')
      .send(),
  );

  app.get('/about', { config: { xapiPublic: true }, schema: { tags: ['xAPI'], summary: 'About: the xAPI versions this LRS speaks' } }, async () => ({
    version: ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '2.0.0'],
    extensions: {},
  }));
  await app.register(statementRoutes, { writer: opts.writer });
  await app.register(documentRoutes);
  await app.register(extensionPages);
}
