import type { FastifyError, FastifyInstance } from 'fastify';
import { asRequestError, isShirubeError, type ShirubeErrorCode } from '../../errors.js';

/** xAPI answers with the spec's status code and a plain-text message (Communication §3.2). */
export const xapiStatus: Record<ShirubeErrorCode, number> = {
  not_found: 404,
  invalid_uuid: 400,
  invalid_request: 400,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  busy: 503,
  bad_gateway: 502,
  unavailable: 503,
  internal: 500,
};

export function toXapiError(err: unknown): { status: number; message: string } {
  err = asRequestError(err);
  if (isShirubeError(err)) return { status: xapiStatus[err.code], message: err.message };
  const fe = err as FastifyError;
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, message: fe.message };
  return { status: 500, message: 'Internal server error; nothing was stored. Try again later.' };
}

export function useXapiErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const { status, message } = toXapiError(err);
    if (status >= 500) req.log.error({ err }, 'xAPI request failed');
    if (status === 401) reply.header('WWW-Authenticate', 'Basic realm="xAPI"');
    return reply.code(status).type('text/plain; charset=utf-8').send(message);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send(`No xAPI resource ${req.method} ${req.url.split('?')[0]}`),
  );
}
