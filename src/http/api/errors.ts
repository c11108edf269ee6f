import type { FastifyError, FastifyInstance } from 'fastify';
import { asRequestError, isShirubeError, type ShirubeErrorCode } from '../../errors.js';

/** The UI / admin API's error format: { error: { code, message, field? } }. */
export const httpStatus: Record<ShirubeErrorCode, number> = {
  not_found: 404,
  invalid_uuid: 404,
  invalid_request: 400,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  busy: 429,
  bad_gateway: 502,
  unavailable: 503,
  internal: 500,
};

export function toApiError(err: unknown): { status: number; body: { error: { code: string; message: string; field?: string } } } {
  err = asRequestError(err);
  if (isShirubeError(err)) {
    return { status: httpStatus[err.code], body: { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } } };
  }
  const fe = err as FastifyError;
  const status = fe.statusCode ?? 500;
  if (fe.validation) {
    const v = fe.validation[0];
    const params = v?.params as { missingProperty?: string; additionalProperty?: string } | undefined;
    // The property a required/additionalProperties error is about is a parameter, not part of the path.
    const path = [v?.instancePath?.replace(/^\//, '').replace(/\//g, '.'), params?.missingProperty ?? params?.additionalProperty].filter(Boolean).join('.');
    const field = path || (fe.validationContext ?? 'request');
    return { status: 400, body: { error: { code: 'invalid_request', message: `${field}: ${v?.message ?? fe.message}`, field } } };
  }
  if (status >= 400 && status < 500) return { status, body: { error: { code: status === 413 ? 'payload_too_large' : 'invalid_request', message: fe.message } } };
  return { status: 500, body: { error: { code: 'internal', message: 'Internal server error; nothing was changed. Try again later.' } } };
}

export function useApiErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toApiError(err);
    if (status >= 500) req.log.error({ err }, 'API request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `No API endpoint ${req.method} ${req.url.split('?')[0]}` } }),
  );
}
