import type { FastifyInstance } from 'fastify';
import { useCaseErrors } from './errors.js';

/** CASE 1.0 and 1.1 REST APIs, each under its own prefix with its own error vocabulary. */
export default async function caseApi(app: FastifyInstance) {
  await app.register(async (v1p0) => {
    useCaseErrors(v1p0, '1.0');
  }, { prefix: '/ims/case/v1p0' });
  await app.register(async (v1p1) => {
    useCaseErrors(v1p1, '1.1');
  }, { prefix: '/ims/case/v1p1' });
}
