import fp from 'fastify-plugin';
import { ClientUsageCounter } from '../../auth/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests per API client per day (docs/suppliers.md#usage). */
    clientUsage: ClientUsageCounter;
  }
}

/** Counts every answered request of an API client (bearer token, or Basic on xAPI and Caliper) towards its usage. */
export default fp(async (app) => {
  const counter = new ClientUsageCounter(app.store.db, { flushMs: 10_000, onError: (err) => app.log.warn({ err }, 'client usage not saved yet; kept for the next flush') });
  app.decorate('clientUsage', counter);
  app.addHook('onResponse', async (req, reply) => {
    if (req.principal?.kind === 'client') counter.count(req.principal.clientId, reply.statusCode >= 400);
  });
  app.addHook('onClose', async () => {
    await counter.flush().catch((err: unknown) => app.log.warn({ err }, 'client usage not saved'));
  });
}, { name: 'shirube-client-usage', dependencies: ['shirube-auth'] });
