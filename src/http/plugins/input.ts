import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { checkInput } from '../../input.js';
import { isShirubeError } from '../../errors.js';

/** Also a 400 where no API error handler answers (the web UI's files, unknown paths): Fastify's default handler reads statusCode. */
function check(value: unknown, field: string): void {
  try {
    checkInput(value, field);
  } catch (e) {
    throw isShirubeError(e) ? Object.assign(e, { statusCode: 400 }) : e;
  }
}

/**
 * The input limits of src/input.ts for every route, in each API's error format (the route's error handler answers):
 * path parameters, the query string (names and values) and a parsed body (JSON, forms, text; raw byte bodies are
 * checked where they are parsed, e.g. the LRS). preValidation: after authentication (onRequest), before schema
 * validation and the handler. docs/security.md, "Input limits".
 */
export default fp(async (app) => {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const params = req.params as Record<string, unknown> | undefined;
    if (params) for (const [k, v] of Object.entries(params)) check(v, k === '*' ? 'path' : k);
    const query = req.query as Record<string, unknown> | undefined;
    if (query) {
      for (const [k, v] of Object.entries(query)) {
        check(k, 'query');
        check(v, k);
      }
    }
    if (req.body !== undefined && req.body !== null) check(req.body, '');
  });
}, { name: 'shirube-input' });
