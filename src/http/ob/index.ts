import type { FastifyInstance } from 'fastify';
import { toApiError } from '../api/errors.js';
import badgePublicRoutes from './public.js';
import obApi, { OB_API_PREFIX } from './api.js';
import ob2Routes from './ob2.js';

/** Open Badges: what verifiers and wallets fetch from Shirube (issuers, status lists, achievements, verification). */
export default async function openBadges(app: FastifyInstance) {
  // Errors in the UI API's format; no not-found handler here: the root one (web UI) answers unknown paths.
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toApiError(err);
    if (status >= 500) req.log.error({ err }, 'Open Badges request failed');
    return reply.code(status).send(body);
  });
  await app.register(badgePublicRoutes);
  await app.register(obApi, { prefix: OB_API_PREFIX });
  await app.register(ob2Routes);
}
