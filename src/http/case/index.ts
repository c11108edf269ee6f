import type { FastifyInstance } from 'fastify';
import type { CaseVersion } from '../../case/model.js';
import { EXPOSED_HEADERS } from './cache.js';
import { useCaseErrors } from './errors.js';
import caseRoutes from './routes.js';
import caseWrites from './writes.js';

/**
 * Lets browser-based CASE consumers read from any origin: every answer carries Access-Control-Allow-Origin: *,
 * and preflights (a bearer token or conditional headers) are answered here.
 */
export function useCors(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply) => {
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  });
  app.options('/*', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    reply.header('Access-Control-Allow-Headers', 'Authorization, Accept, Accept-Language, If-None-Match, If-Modified-Since');
    reply.header('Access-Control-Max-Age', '86400');
    return reply.code(204).send();
  });
}

/** CASE 1.0 and 1.1 REST APIs: one implementation, each under its own prefix with its own error vocabulary. */
export default async function caseApi(app: FastifyInstance) {
  for (const [version, prefix] of [['1.0', '/ims/case/v1p0'], ['1.1', '/ims/case/v1p1']] as Array<[CaseVersion, string]>) {
    await app.register(async (api) => {
      useCaseErrors(api, version);
      useCors(api);
      await api.register(caseRoutes, { version });
      await api.register(caseWrites, { version });
    }, { prefix });
  }
}
