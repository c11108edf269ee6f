import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { checkInput } from '../../input.js';

/**
 * The input limits of ../input.ts for every route, in each API's error format (the route's error handler answers):
 * path parameters, the query string and a parsed body (JSON, forms, text; raw byte bodies are checked where they
 * are parsed, e.g. the LRS). preValidation: after authentication (onRequest), before schema validation.
 */
export default fp(async (app) => {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const params = req.params as Record<string, unknown> | undefined;
    if (params) for (const [k, v] of Object.entries(params)) checkInput(v, k === '*' ? 'path' : k);
    const query = req.query as Record<string, unknown> | undefined;
    if (query) {
      for (const [k, v] of Object.entries(query)) {
        checkInput(k, 'query');
        checkInput(v, k);
      }
    }
    if (req.body !== undefined && req.body !== null) checkInput(req.body, '');
  });
}, { name: 'shirube-input' });
