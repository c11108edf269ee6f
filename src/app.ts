import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from './config.js';
import { loggerOptions } from './log.js';
import type { Store } from './store/db.js';
import authPlugin from './http/plugins/auth.js';
import operations from './http/plugins/operations.js';
import inputPlugin from './http/plugins/input.js';
import usagePlugin from './http/plugins/usage.js';
import { apiScopes } from './auth/index.js';
import caseApi from './http/case/index.js';
import uriResolver from './http/uri.js';
import uiApi from './http/api/index.js';
import oauth from './http/oauth.js';
import web from './http/web.js';
import lti from './http/lti.js';
import xapi from './http/xapi/index.js';
import { statementWriter } from './http/xapi/writer.js';
import caliper from './http/caliper/index.js';
import openBadges from './http/ob/index.js';
import { oauth2Acg } from './http/ob/api.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    config: Config;
  }
}

const PROBES = new Set(['/health', '/ready', '/metrics']);

/** Builds the whole server as one Fastify instance; never listens (see cli/serve.ts). */
export async function buildApp(opts: { config: Config; store: Store; logger?: boolean; webRoot?: string }): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(opts.config.logLevel, opts.config.logFormat),
    // Request lines only when asked for, and never for the probes a load balancer sends every few seconds.
    logController: new LogController({ disableRequestLogging: (req) => !opts.config.requestLog || PROBES.has(req.url) }),
    bodyLimit: opts.config.bodyLimit,
    trustProxy: opts.config.trustProxy,
    // Unknown properties are errors, not silently dropped (STYLE.md); every error is collected once, not allErrors (DoS).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  app.decorate('store', opts.store);
  app.decorate('config', opts.config);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Shirube', version: '0.1.0', description: 'CASE 1.0/1.1 provider, the Shirube UI/admin API and OAuth 2.0.' },
      servers: [{ url: opts.config.publicUrl }],
      components: {
        securitySchemes: {
          oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: { ...apiScopes } } } },
          session: { type: 'apiKey', in: 'cookie', name: 'shirube_session' },
          OAuth2ACG: oauth2Acg(''),
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(operations);
  await app.register(cookie);
  await app.register(authPlugin);
  await app.register(usagePlugin);
  await app.register(inputPlugin);
  await app.register(oauth);
  await app.register(caseApi);
  await app.register(uriResolver, { prefix: '/uri' });
  await app.register(uiApi, { prefix: '/api' });
  // One statement writer for the LRS and the Caliper endpoint (shared caches and write gate).
  const writer = statementWriter(opts.config);
  await app.register(xapi, { prefix: '/xapi', writer });
  await app.register(caliper, { prefix: '/caliper/v1p2', writer });
  await app.register(openBadges);
  await app.register(lti);
  await app.register(web, { root: opts.webRoot });
  return app;
}
