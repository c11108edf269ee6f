import type { FastifyInstance } from 'fastify';
import { useApiErrors } from './errors.js';

/** The JSON API behind the web UI and the admin tools (`/api`). */
export default async function uiApi(app: FastifyInstance) {
  useApiErrors(app);
}
