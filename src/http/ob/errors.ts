import type { FastifyError, FastifyInstance } from 'fastify';
import { ShirubeError, type ShirubeErrorCode } from '../../errors.js';
import { toApiError } from '../api/errors.js';
import type { StatusInfo } from '../case/errors.js';

/** OB 3.0's imsx_codeMinorFieldValue for each Shirube error code (the API's status codes are the UI API's). */
export const codeMinor: Record<ShirubeErrorCode, string> = {
  not_found: 'not_found',
  invalid_uuid: 'not_found',
  invalid_request: 'invalid_data',
  conflict: 'invalid_data',
  precondition_failed: 'unknown',
  precondition_required: 'unknown',
  payload_too_large: 'invalid_data',
  unauthorized: 'unauthorizedrequest',
  forbidden: 'forbidden',
  busy: 'server_busy',
  bad_gateway: 'internal_server_error',
  unavailable: 'server_busy',
  internal: 'internal_server_error',
};

/**
 * Any error as OB 3.0's imsx_StatusInfo: the status, message and field of the UI API's mapping (one table for both),
 * with OB's code minor; a bad query parameter is `invalid_query_parameter`. The field names what is wrong
 * (`imsx_codeMinorFieldName`), else the system (`TargetEndSystem`).
 */
export function toObStatusInfo(err: unknown): { status: number; body: StatusInfo } {
  const { status, body } = toApiError(err);
  const { code, message, field } = body.error;
  const query = (err as FastifyError).validationContext === 'querystring';
  const minor = query ? 'invalid_query_parameter' : (codeMinor[code as ShirubeErrorCode] ?? 'unknown');
  return {
    status,
    body: {
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: message,
      imsx_codeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: field ?? 'TargetEndSystem', imsx_codeMinorFieldValue: minor }] },
    },
  };
}

/** The OB API's error and not-found handlers; 401 and 403 carry the Bearer challenge of RFC 6750 §3. */
export function useObErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toObStatusInfo(err);
    if (status >= 500) req.log.error({ err }, 'Open Badges API request failed');
    if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="shirube"');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const { status, body } = toObStatusInfo(new ShirubeError('not_found', `No Open Badges API endpoint ${req.method} ${req.url.split('?')[0]}`, 'endpoint'));
    return reply.code(status).send(body);
  });
}
